/** `agent37-chat/simulator`: a local stand-in for an agent37 instance's gateway. */
export { createSimulator, SIMULATOR_VERSION, type Simulator, type SimulatorOptions } from './server.js';
export { FAULT_HEADER, PACE_HEADER, parseFaults, type FaultPlan, type Pace } from './faults.js';
export { parseDirectives, scriptTurn, type Directives } from './scripted-agent.js';
export type { Revision } from './turns.js';
