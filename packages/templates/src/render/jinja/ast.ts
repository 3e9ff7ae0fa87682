/**
 * The Jinja syntax tree: what {@link parseTemplate} builds from the lexer's tokens and the
 * compiler turns into JavaScript. Every node carries its 1-based template line.
 * @internal
 */

/** An expression. */
export type Expr =
  | { k: 'const'; line: number; value: unknown; float?: boolean }
  | { k: 'name'; line: number; name: string }
  | { k: 'getattr'; line: number; obj: Expr; attr: string }
  | { k: 'getitem'; line: number; obj: Expr; key: Expr }
  | {
      k: 'slice';
      line: number;
      obj: Expr;
      start: Expr | null;
      stop: Expr | null;
      step: Expr | null;
    }
  | { k: 'call'; line: number; fn: Expr; args: Expr[]; kwargs: Array<[string, Expr]> }
  | {
      k: 'filter';
      line: number;
      name: string;
      node: Expr | null;
      args: Expr[];
      kwargs: Array<[string, Expr]>;
    }
  | {
      k: 'test';
      line: number;
      name: string;
      node: Expr;
      args: Expr[];
      kwargs: Array<[string, Expr]>;
    }
  | { k: 'bin'; line: number; op: string; left: Expr; right: Expr }
  | { k: 'unary'; line: number; op: '-' | '+' | 'not'; expr: Expr }
  | { k: 'compare'; line: number; first: Expr; ops: Array<[string, Expr]> }
  | { k: 'cond'; line: number; test: Expr; then: Expr; else_: Expr | null }
  | { k: 'list' | 'tuple'; line: number; items: Expr[] }
  | { k: 'dict'; line: number; pairs: Array<[Expr, Expr]> };

/** An assignment target: a name, a tuple of targets, or `ns.attr`. */
export type Target =
  | { k: 'name'; line: number; name: string }
  | { k: 'tuple'; line: number; items: Target[] }
  | { k: 'nsref'; line: number; name: string; attr: string };

/** A macro or call-block parameter list. */
export interface Params {
  names: string[];
  defaults: Array<Expr | undefined>;
}

/** A statement. */
export type Stmt =
  | { k: 'data'; line: number; text: string }
  | { k: 'output'; line: number; expr: Expr }
  | { k: 'if'; line: number; test: Expr; body: Stmt[]; else_: Stmt[] }
  | {
      k: 'for';
      line: number;
      target: Target;
      iter: Expr;
      filter: Expr | null;
      recursive: boolean;
      body: Stmt[];
      else_: Stmt[];
    }
  | { k: 'set'; line: number; target: Target; value: Expr }
  | { k: 'setblock'; line: number; target: Target; filter: Expr | null; body: Stmt[] }
  | { k: 'macro'; line: number; name: string; params: Params; body: Stmt[] }
  | { k: 'callblock'; line: number; call: Expr; params: Params; body: Stmt[] }
  | { k: 'filterblock'; line: number; filter: Expr; body: Stmt[] }
  | { k: 'with'; line: number; targets: Target[]; values: Expr[]; body: Stmt[] }
  | { k: 'block'; line: number; name: string; body: Stmt[] }
  | { k: 'autoescape'; line: number; enabled: Expr; body: Stmt[] };
