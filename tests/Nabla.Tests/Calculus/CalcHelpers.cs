using Nabla.Checking;
using Nabla.Calculus;
using Nabla.Api;
using Nabla.Expressions;
using Nabla.Numerics;
using Nabla.Semantics;
using Nabla.LinearAlgebra;

namespace Nabla.Tests.Calculus;

/// <summary>Shared helpers for the calculus tests: binding with declarations, checking, repo paths.</summary>
internal static class CalcHelpers
{
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Nabla.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Nabla.slnx not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Declarations written "x:vector, A:symmetric" (empty for none).</summary>
    public static Dictionary<string, VarType> Decls(string decls)
    {
        var d = new Dictionary<string, VarType>();
        foreach (var part in decls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int c = part.IndexOf(':');
            d[part[..c].Trim()] = VarType.Parse(part[(c + 1)..]);
        }
        return d;
    }

    public static BindOptions Options(string decls, bool preferScalar = true) =>
        new() { Declarations = Decls(decls), PreferScalar = preferScalar };

    public static BoundExpression Bind(string expr, string decls, bool preferScalar = true) =>
        Binder.Bind(expr, Options(decls, preferScalar));

    public static string NoSpace(string s) => new(s.Where(c => !char.IsWhiteSpace(c)).ToArray());

    /// <summary>Derives, checks numerically (asserting), and returns the textbook print.</summary>
    public static string DeriveAndCheck(string expr, string decls, string wrt, DerivativeKind kind = DerivativeKind.Gradient,
        double tolerance = 1e-5, int seed = 12345)
    {
        var b = Bind(expr, decls, kind != DerivativeKind.Jacobian);
        var x = b.Variable(wrt) ?? Derivation.WrtVariable(b, wrt, Options(decls));
        var r = Derivation.Compute(b.Root, x, kind);
        var report = GradientCheck.Check(b.Root, x, r.Matrix, kind, b.Variables, trials: 3, seed: seed, tolerance: tolerance);
        Assert.True(report.Passed, $"{kind} of {expr} wrt {wrt} = {r.Text}: finite differences disagree, relative error {report.MaxRelativeError:G3}");
        return r.Text!;
    }

    /// <summary>Random values for the variables of <paramref name="e"/>, domain-aware.</summary>
    public static Dictionary<string, Tensor> Point(Expr e, IReadOnlyList<Var> vars, Random rng) => RandomPoint.Draw(e, vars, rng);

    public static void AssertClose(Tensor expected, Tensor actual, double tol, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: sizes {expected.Length} and {actual.Length}");
        double scale = Math.Max(1, expected.MaxAbs());
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected.Data[i] - actual.Data[i]) <= tol * scale,
                $"{what}: entry {i}: {expected.Data[i]:G10} vs {actual.Data[i]:G10}");
    }
}
