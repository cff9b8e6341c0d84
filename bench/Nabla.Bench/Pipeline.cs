using Nabla.Calculus;
using Nabla.Api;
using Nabla.Semantics;

namespace Nabla.Bench;

/// <summary>The measured work: bind the text, differentiate, simplify and print (text and LaTeX).</summary>
public static class Pipeline
{
    public static DerivativeResult Run(Case c, IReadOnlyDictionary<string, VarType> decls)
    {
        var b = Binder.Bind(c.Expr, new BindOptions { Declarations = decls, PreferScalar = true });
        var x = b.Variable(c.Wrt) ?? throw new InvalidOperationException($"{c.Id}: no variable {c.Wrt}");
        return Derivation.Compute(b.Root, x, DerivativeKind.Gradient);
    }
}
