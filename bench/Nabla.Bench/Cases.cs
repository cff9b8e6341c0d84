using Nabla.Semantics;

namespace Nabla.Bench;

/// <summary>One benchmark problem: an objective, the variable to differentiate by, and declared types.</summary>
public sealed record Case(string Id, string Expr, string Wrt, params string[] Vars)
{
    public Dictionary<string, VarType> Declarations()
    {
        var d = new Dictionary<string, VarType>();
        foreach (var v in Vars)
        {
            int colon = v.IndexOf(':');
            d[v[..colon]] = VarType.Parse(v[(colon + 1)..]);
        }
        return d;
    }

    public override string ToString() => Id;
}

/// <summary>
/// The benchmark problems: the seed problems, Matrix Cookbook identities and common machine-learning losses.
/// The ids are shared with bench/sympy_compare.py, which builds the SymPy counterpart of each.
/// </summary>
public static class Cases
{
    public static readonly Case[] All =
    [
        // Seed problems.
        new("seed_ax", "a'*x", "x", "a:vector"),
        new("seed_xAx", "x'*A*x", "x"),
        new("seed_xAx_sym", "x'*A*x", "x", "A:symmetric"),
        new("seed_det", "det(A)", "A"),
        new("seed_trAB", "tr(A*B)", "A"),
        new("seed_xAy_A", "x'*A*y", "A"),
        new("seed_logistic", "log(1+exp(-y*<w,x>))", "w"),
        new("seed_lsq", "(y-X*w)'*(y-X*w)", "w"),
        // Matrix Cookbook: traces, determinants, inverses.
        new("cb_trX", "tr(X)", "X"),
        new("cb_trAXB", "tr(A*X*B)", "X"),
        new("cb_trXtAX", "tr(X'*A*X)", "X"),
        new("cb_trAXBXt", "tr(A*X*B*X')", "X"),
        new("cb_trXX", "tr(X*X)", "X"),
        new("cb_trXtX", "tr(X'*X)", "X"),
        new("cb_inner", "<A, X>", "X"),
        new("cb_trinvXA", "tr(inv(X)*A)", "X"),
        new("cb_ainvXb", "a'*inv(X)*b", "X", "a:vector", "b:vector"),
        new("cb_aXb", "a'*X*b", "X", "a:vector", "b:vector"),
        new("cb_aXtb", "a'*X'*b", "X", "a:vector", "b:vector"),
        new("cb_logdet", "logdet(X)", "X"),
        new("cb_detinv", "det(inv(X))", "X"),
        new("cb_xAx_A", "x'*A*x", "A"),
        // Norms.
        new("norm2", "norm2(x)", "x"),
        new("norm2_sq_res", "norm2(A*x-b)^2", "x", "b:vector"),
        new("norm1", "norm1(x)", "x"),
        new("xx", "x'*x", "x"),
        new("rayleigh", "(x'*A*x)/(x'*x)", "x"),
        // Machine-learning losses.
        new("ridge", "(y-X*w)'*(y-X*w) + c*w'*w", "w"),
        new("logistic_sum", "sum(softplus(-y.*(X*w)))", "w"),
        new("softmax_ce", "-y'*log(softmax(z))", "z"),
        new("logsumexp", "logsumexp(z) - y'*z", "z"),
        new("exp_quad", "exp(-0.5*x'*A*x)", "x"),
        new("sum_sigmoid", "sum(sigmoid(X*w))", "w"),
    ];
}
