using Nabla.Expressions;
using Nabla.Ops;
using Nabla.Syntax;
using Nabla.LinearAlgebra;

namespace Nabla.Semantics;

/// <summary>Pass 2 of binding: syntax with known shapes → the typed IR, faithfully (no simplification).</summary>
internal sealed class ExprBuilder(Typer typer, DimNamer namer, IReadOnlyDictionary<string, Var> vars)
{
    private Shape ShapeOf(SyntaxNode n) => namer.Resolve(typer.NodeShapes[n]);

    public Expr Build(SyntaxNode node) => node switch
    {
        NumberSyntax n => new Num(n.Value),
        NameSyntax { Name: "eye" } e => new Eye(ShapeOf(e).Rows!.Value),
        NameSyntax n => vars[n.Name],
        ParenSyntax p => Build(p.Inner),
        UnarySyntax u => u.Op == TokenKind.Minus ? new Neg(Build(u.Operand)) : Build(u.Operand),
        TransposeSyntax t => new Transpose(Build(t.Operand)),
        SumSyntax s => BuildSum(s),
        ProductSyntax p => BuildProduct(p),
        PowerSyntax p => BuildPower(p),
        InnerSyntax i => E.Inner(Build(i.Left), Build(i.Right)),
        CallSyntax c => BuildCall(c),
        _ => throw new InvalidOperationException(node.GetType().Name),
    };

    private Expr BuildSum(SumSyntax s)
    {
        var shape = ShapeOf(s);
        var terms = new List<Expr>(s.Terms.Count);
        for (int i = 0; i < s.Terms.Count; i++)
        {
            var t = Build(s.Terms[i]);
            if (i > 0 && s.Ops[i - 1] == TokenKind.Minus) t = new Neg(t);
            terms.Add(t.Shape.IsScalar && !shape.IsScalar ? new Fill(t, shape) : t);
        }
        return new Add(terms);
    }

    private Expr BuildProduct(ProductSyntax p)
    {
        var run = new List<Expr> { Build(p.Factors[0]) };
        for (int i = 1; i < p.Factors.Count; i++)
        {
            var f = Build(p.Factors[i]);
            var op = p.Ops[i - 1];
            if (op == TokenKind.Star) { run.Add(f); continue; }
            var acc = Close(run);
            acc = op switch
            {
                TokenKind.Slash => new Div(acc, f),
                TokenKind.DotStar => new Elementwise(ElementwiseOp.Mul, acc, f),
                _ => new Elementwise(ElementwiseOp.Div, acc, f),
            };
            run = [acc];
        }
        return Close(run);

        static Expr Close(List<Expr> run) => run.Count == 1 ? run[0] : new Mul(run);
    }

    private Expr BuildPower(PowerSyntax p)
    {
        var b = Build(p.Base);
        if (p.Op == TokenKind.Caret && b.Shape.Kind == ShapeKind.Matrix)
            return new MatPow(b, Typer.IntegerLiteral(p.Exponent)!.Value);
        return new Power(b, Build(p.Exponent));
    }

    private Expr BuildCall(CallSyntax c)
    {
        var args = c.Args.Take(Typer.ValueArgs(c)).Select(Build).ToList();
        return c.Name switch
        {
            "dot" => new Mul([new Transpose(args[0]), args[1]]),
            "eye" => new Eye(ShapeOf(c).Rows!.Value),
            "vector" or "matrix" => new Fill(args[0], ShapeOf(c)),
            _ => new Call(Functions.ByName[c.Name], args),
        };
    }
}
