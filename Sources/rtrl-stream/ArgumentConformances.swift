import ArgumentParser
import RTRL
import RTRLStream

extension StreamConfiguration.InputPattern: ExpressibleByArgument {}
extension StreamConfiguration.OutputPattern: ExpressibleByArgument {}
extension StreamConfiguration.Preset: ExpressibleByArgument {}
extension Activation: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension LossFunction: ExpressibleByArgument {}
extension Precision: ExpressibleByArgument {}
extension SensitivityMode: ExpressibleByArgument {}
extension Readout: ExpressibleByArgument {}
