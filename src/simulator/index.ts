/** `agent37-chat/simulator`: a local stand-in for an agent37 instance's gateway. */
export { createSimulator, SIMULATOR_VERSION, type Simulator, type SimulatorOptions } from './server.js';
export { FAULT_HEADER, PACE_HEADER, parseFaults, type FaultPlan, type Pace } from './faults.js';
export { IN_STREAM_FAILURE_CODES, parseDirectives, scriptTurn, type Directives, type InStreamFailureCode, type ScriptOptions } from './scripted-agent.js';
export type { Revision } from './revision.js';
export type { HistoryMode } from './history-writer.js';
