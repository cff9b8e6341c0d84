namespace Nabla.Expressions;

/// <summary>Questions asked of a whole expression.</summary>
public static class ExprQueries
{
    /// <summary>The distinct variables of an expression.</summary>
    public static IEnumerable<Var> Variables(Expr e)
    {
        var seen = new HashSet<Expr>();
        var stack = new Stack<Expr>([e]);
        while (stack.Count > 0)
        {
            var x = stack.Pop();
            if (!seen.Add(x)) continue;
            if (x is Var v) yield return v;
            foreach (var c in x.Children) stack.Push(c);
        }
    }
}
