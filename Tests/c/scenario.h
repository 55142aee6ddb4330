/*
 * scenario.h — the parity scenarios, run through the C ABI.
 *
 * A scenario file (Tests/c/scenarios/NAME.txt; format in Tests/c/reference/Scenario.swift)
 * describes a network, a training configuration and a run. scenario_run builds the
 * network through librtrl, runs it and writes its trajectory in the exact text format
 * of the Swift reference program rtrl-capi-reference, one line per step.
 */
#ifndef RTRL_TEST_SCENARIO_H
#define RTRL_TEST_SCENARIO_H

#include <stdio.h>

/* Runs the scenario in `path`, writing the trajectory to `out`. Returns 0, or -1 with
   a message on stderr. */
int scenario_run(const char *path, FILE *out);

#endif
