/** The expression language of conditions, watches and log messages (docs/expressions.md). Pure. */
export { ExprError, caretLines } from './errors';
export { LIMITS, parse } from './parser';
export { compileCondition, compileExpression, availableNames, type CompiledCondition, type CompiledExpr, type CompileOptions } from './compile';
export { parseHitCondition } from './hitCondition';
export { compileLogTemplate } from './logTemplate';
export { AdaptiveBlock, ConditionScanner, scanCondition } from './scan';
export { BreakpointSet, type BreakpointDef, type BreakpointPlace, type BreakpointStatus, type Fire } from './breakpoints';
export { traceSource, type StepSource, type TraceSourceOptions } from './source';
export { components, componentValues, formatNumber, formatValue, type Component, type DirectionStep, type ExprMeta, type ExprValue, type StepValues } from './values';
