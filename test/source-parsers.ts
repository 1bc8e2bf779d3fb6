// Reading the project's own sources for the tests that hold docs and
// declarations to the code: what a native file registers, what a lib/
// module declares of the addon.
import ts from 'typescript';

/** The names a native source file registers on the addon's exports. */
export function registeredBy(source: string): string[] {
  return [...source.matchAll(/(?:SetFunction|napi_set_named_property)\(\s*env,\s*exports,\s*"(\w+)"/g)].map((m) => m[1]!);
}

/** The member names of every `nativeModule<{ ... }>()` type literal in a TypeScript source. */
export function declaredBy(source: string): string[] {
  const file = ts.createSourceFile('m.ts', source, ts.ScriptTarget.ES2022, true);
  const names: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && node.expression.getText(file) === 'nativeModule') {
      const literal = node.typeArguments?.[0];
      if (literal && ts.isTypeLiteralNode(literal)) {
        for (const m of literal.members) if (m.name) names.push(m.name.getText(file));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return names;
}
