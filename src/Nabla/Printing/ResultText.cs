using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Semantics;

namespace Nabla.Printing;

/// <summary>Results printed so that they read back: the textbook print, sized where the text alone would not fix a constant's size.</summary>
public static class ResultText
{
    /// <summary>
    /// The textbook print of a result, with the sizes of its constants written out (eye(n), vector(1, n)) where
    /// the text alone would not fix them: the printed result is read back with its variables' types and its
    /// own shape, and every constant must come back sized by them (tr(eye) would not: tr(eye(n)) does).
    /// </summary>
    public static string Readable(Expr result)
    {
        var text = TextPrinter.PrintResult(result);
        return ReadsBackSized(result, text) ? text : TextPrinter.PrintResult(result, sizes: true);
    }

    private static bool ReadsBackSized(Expr result, string text)
    {
        if (!HasConstant(result)) return true;
        var vars = ExprQueries.Variables(result).ToList();
        var known = vars.SelectMany(v => v.Shape.Dims).Concat(result.Shape.Dims).Select(d => d.Name).ToHashSet();
        var decls = vars.ToDictionary(v => v.Name, VarType.Of);
        try
        {
            var back = Binder.Bind(text, new BindOptions { Declarations = decls, ExpectedShape = result.Shape });
            return ConstantDims(back.Root).All(d => d.IsKnown || known.Contains(d.Name));
        }
        catch (NablaException)
        {
            return false;
        }
    }

    private static bool HasConstant(Expr e) => e is Eye or Fill || e.Children.Any(HasConstant);

    private static IEnumerable<Dim> ConstantDims(Expr e)
    {
        if (e is Eye eye) yield return eye.N;
        if (e is Fill f) foreach (var d in f.Shape.Dims) yield return d;
        foreach (var c in e.Children)
            foreach (var d in ConstantDims(c)) yield return d;
    }
}
