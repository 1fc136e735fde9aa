/** The Go language adapter's public face: parse, name, locate and cross-reference Go source with tree-sitter. */

export { splitRuntimeName } from '../../core/go-names.js';
export type { FunctionKind, GoFunction, GoParam, PackageCounters } from './functions.js';
export { listFunctions, runtimePackagePath } from './functions.js';
export type { Located, LocateMatch, LocateQuery } from './locate.js';
export {
  functionSource,
  locateFunction,
  nearestNode,
  pickFunction,
  STATEMENT_TYPES,
  statementAt,
} from './locate.js';
export type { Backend, GoNode, Point } from './parser.js';
export { firstSyntaxError, goParser } from './parser.js';
export type { CallSite, ConstructionSite, SourceSite, StateTarget } from './refs.js';
export {
  constructionSites,
  enclosingFunction,
  findCallers,
  importAliases,
  resolveTarget,
  sameState,
} from './refs.js';
export type { GoPackage } from './repo.js';
export { dirOf, findModule, GoRepo, normalise, repoRelative } from './repo.js';
export type { GoFile } from './source.js';
export {
  ancestorOfType,
  descendantsOfType,
  endLineOf,
  indentOf,
  lineOf,
  lineStartsOf,
  lineText,
  nodeAt,
  numberedLines,
  parseGo,
  sameNode,
  walk,
} from './source.js';
export type { StructField, VariableDecl } from './types.js';
export {
  baseTypeName,
  elementType,
  findField,
  findVariable,
  literalType,
  typeOfExpression,
} from './types.js';
