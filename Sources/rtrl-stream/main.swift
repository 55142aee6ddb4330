// rtrl-stream: the ZeroMQ stream learner (see docs/operations.md).
RTRLStreamCommand.main()
