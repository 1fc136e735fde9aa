/** Nil map writes: make the map where its holder is constructed, or lazily before each write. */
import {
  constructionSites,
  descendantsOfType,
  dirOf,
  enclosingFunction,
  type GoFile,
  type GoFunction,
  type GoNode,
  type GoRepo,
  nearestNode,
  resolveTarget,
  type StateTarget,
  sameState,
  typeOfExpression,
} from '../../lang/go/index.js';
import { addLiteralKey, insertBefore, replaceNode } from '../go/edit.js';
import { underlyingType } from '../go/returns.js';
import {
  type Applied,
  addEdits,
  appliedIn,
  enclosingStatement,
  isPure,
  locate,
  MAX_DRIFT,
  precondition,
  sameExpr,
} from './common.js';
import type { Operation } from './schema.js';

type MapOp = Extract<Operation, { op: 'init-map-at-construction' | 'init-map-lazily' }>;

interface MapWrite {
  file: GoFile;
  fn: GoFunction;
  /** The index_expression written (`m[k]` in `m[k] = v`, `m[k]++`, `m[k] += v`). */
  index: GoNode;
  /** The map expression (`l.backorders`). */
  map: GoNode;
  mapType: string;
  target: StateTarget | undefined;
}

/** The index expression is the target of an assignment or ++/--, i.e. a map write. */
function isWrite(index: GoNode): boolean {
  const parent = index.parent;
  if (parent?.type === 'inc_statement' || parent?.type === 'dec_statement') return true;
  if (parent?.type !== 'expression_list') return false;
  const stmt = parent.parent;
  return (
    (stmt?.type === 'assignment_statement' || stmt?.type === 'short_var_declaration') &&
    stmt.childForFieldName('left')?.id === parent.id
  );
}

async function mapWriteAt(repo: GoRepo, op: MapOp): Promise<MapWrite> {
  const { fn, file, body } = await locate(repo, op);
  const found = nearestNode(
    body,
    op.line,
    (n) =>
      n.type === 'index_expression' &&
      isWrite(n) &&
      sameExpr(n.childForFieldName('operand')?.text ?? '', op.map),
  );
  if (found === undefined) throw precondition(`no write to \`${op.map}\` in ${fn.qualifiedName}`);
  if (found.distance > MAX_DRIFT)
    throw precondition(`the write to \`${op.map}\` is ${found.distance} lines from line ${op.line}`);
  const index = found.node;
  const map = index.childForFieldName('operand');
  if (map == null || !isWrite(index)) throw precondition(`\`${op.map}\` is not written at line ${op.line}`);
  if (!isPure(map)) throw precondition(`\`${op.map}\` has side effects; it cannot be tested for nil`);
  const type = await typeOfExpression(repo, file, fn, map);
  const dir = dirOf(file.path);
  const underlying = type === undefined ? undefined : await underlyingType(repo, dir, type);
  if (type === undefined || !underlying?.startsWith('map['))
    throw precondition(`cannot tell that \`${op.map}\` is a map`);
  return { file, fn, index, map, mapType: type, target: await resolveTarget(repo, file, fn, map) };
}

/** `if m == nil { m = make(T) }` before the write's statement (and every other write of the same map). */
export async function initMapLazily(
  repo: GoRepo,
  op: Extract<Operation, { op: 'init-map-lazily' }>,
): Promise<Applied> {
  const write = await mapWriteAt(repo, op);
  const applied = appliedIn(write.fn, op.line);
  applied.params = { map: op.map, type: write.mapType };
  const sites = [{ file: write.file, index: write.index, map: write.map }];
  if (write.target !== undefined) sites.push(...(await otherWrites(repo, write)));
  const guarded = new Set<number>();
  for (const site of sites) {
    const stmt = enclosingStatement(site.index);
    if (guarded.has(stmt.id)) continue;
    guarded.add(stmt.id);
    if (alreadyGuarded(stmt, site.map.text)) {
      if (site.index.id === write.index.id)
        throw precondition(`the write to \`${op.map}\` is already preceded by a nil check`);
      continue;
    }
    const m = site.map.text;
    addEdits(applied, site.file, [
      insertBefore(site.file, stmt, `if ${m} == nil {\n\t${m} = make(${write.mapType})\n}`),
    ]);
  }
  applied.params.sites = String(guarded.size);
  applied.explanation = `Makes \`${op.map}\` (a ${write.mapType}) before ${guarded.size === 1 ? 'the write' : `each of its ${guarded.size} writes`} when it is still nil, so writing to it no longer panics.`;
  return applied;
}

/** Writes elsewhere in the package to the same field or variable, which would panic the same way. */
async function otherWrites(
  repo: GoRepo,
  write: MapWrite,
): Promise<{ file: GoFile; index: GoNode; map: GoNode }[]> {
  const pkg = await repo.packageOfFile(write.file.path);
  const out: { file: GoFile; index: GoNode; map: GoNode }[] = [];
  for (const path of pkg?.files ?? []) {
    const file = await repo.file(path);
    const funcs = await repo.functionsOfFile(path);
    for (const index of descendantsOfType(file.root, 'index_expression')) {
      const map = index.childForFieldName('operand');
      if (map == null || index.id === write.index.id || !isWrite(index) || !isPure(map)) continue;
      if (map.type !== write.map.type || tailName(map) !== tailName(write.map)) continue;
      const target = await resolveTarget(repo, file, enclosingFunction(funcs, index), map);
      if (sameState(target, write.target)) out.push({ file, index, map });
    }
  }
  return out;
}

/** `x.f` → `f`, `x` → `x`: a cheap filter before resolving types. */
function tailName(node: GoNode): string {
  return node.type === 'selector_expression' ? (node.childForFieldName('field')?.text ?? '') : node.text;
}

/** The statement right before `stmt` is already `if <map> == nil {`. */
function alreadyGuarded(stmt: GoNode, map: string): boolean {
  const siblings = stmt.parent?.namedChildren ?? [];
  const previous = siblings[siblings.findIndex((s) => s.id === stmt.id) - 1];
  const condition =
    previous?.type === 'if_statement' ? previous.childForFieldName('condition')?.text : undefined;
  return condition !== undefined && sameExpr(condition, `${map} == nil`);
}

/** Adds the map to every composite literal that builds its struct, or gives its variable a value at declaration. */
export async function initMapAtConstruction(
  repo: GoRepo,
  op: Extract<Operation, { op: 'init-map-at-construction' }>,
): Promise<Applied> {
  const write = await mapWriteAt(repo, op);
  if (write.target === undefined) throw precondition(`cannot tell which field or variable \`${op.map}\` is`);
  const applied = appliedIn(write.fn, op.line);
  applied.params = { map: op.map, type: write.mapType };
  const production = (await constructionSites(repo, write.target)).filter(
    (s) => !s.file.endsWith('_test.go'),
  );
  const make = `make(${write.mapType})`;
  if (write.target.kind === 'field') {
    const { field } = write.target;
    const home = field.file.slice(0, Math.max(0, field.file.lastIndexOf('/')));
    const unset = production.filter((s) => !s.sets && s.kind !== 'assignment');
    const blind = unset.find((s) => s.kind !== 'composite-literal');
    if (blind !== undefined)
      throw precondition(
        `${field.typeName} is also built by \`${blind.text}\` at ${blind.file}:${blind.line}, which a literal change cannot cover`,
      );
    const literals = unset.filter((s) => s.kind === 'composite-literal');
    if (literals.length === 0)
      throw precondition(
        `no literal builds ${field.typeName} without ${field.field}; the nil map comes from elsewhere`,
      );
    const foreign = literals.find((s) => s.file.slice(0, Math.max(0, s.file.lastIndexOf('/'))) !== home);
    if (foreign !== undefined)
      throw precondition(`${field.typeName} is built in another package at ${foreign.file}:${foreign.line}`);
    for (const site of literals)
      addEdits(applied, await repo.file(site.file), [
        addLiteralKey(await repo.file(site.file), site.node, field.field, make),
      ]);
    const builder = literals[0]?.function;
    if (builder !== undefined) applied.function = builder;
    applied.line = literals[0]?.line ?? op.line;
    applied.params.sites = String(literals.length);
    applied.explanation = `Makes the \`${field.field}\` map (${write.mapType}) where ${field.typeName} is constructed${literals.length > 1 ? ` (${literals.length} places)` : ''}, so it is never nil when written.`;
    return applied;
  }
  const { variable } = write.target;
  const decl = variable.decl;
  const names = decl.namedChildren.filter((n) => n.type === 'identifier');
  if (decl.type !== 'var_spec' || names.length !== 1 || decl.childForFieldName('value') !== null) {
    throw precondition(
      `\`${variable.name}\` is not declared as a lone \`var ${variable.name} ${write.mapType}\``,
    );
  }
  const file = await repo.file(variable.file);
  addEdits(applied, file, [replaceNode(decl, `${variable.name} = ${make}`)]);
  applied.line = decl.startPosition.row + 1;
  applied.params.sites = '1';
  applied.explanation = `Declares \`${variable.name}\` with \`${make}\` instead of a nil map, so writing to it no longer panics.`;
  return applied;
}
