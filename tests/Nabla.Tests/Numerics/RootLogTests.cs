using System.Text.Json;
using Nabla.Diagnostics;
using Nabla.LinearAlgebra;

namespace Nabla.Tests.Numerics;

/// <summary>
/// The principal square root and logarithm against SciPy (fixtures/make_rootlog_fixtures.py: scipy.linalg.sqrtm and
/// logm, Schur methods) to 1e-12 relative in the Frobenius norm on both backends, their Fréchet derivatives against
/// SciPy's functions of the block [A E; 0 A] and against central differences, and the refusals: an eigenvalue on the
/// closed negative real axis, a singular matrix.
/// </summary>
public sealed class RootLogTests
{
    private sealed record Case(string Name, int N, double[] A, double[] E, double[] Sqrtm, double[] Logm, double[] SqrtmFrechet, double[] LogmFrechet);

    private static readonly Lazy<List<Case>> Cases = new(() => MatrixFixtures.Load("rootlog.json")
        .Select(c => new Case(c.Name, c.N, c.Arrays["A"], c.Arrays["E"], c.Arrays["sqrtm"], c.Arrays["logm"], c.Arrays["sqrtm_frechet"], c.Arrays["logm_frechet"])).ToList());

    public static TheoryData<string> Names() => new(Cases.Value.Select(c => c.Name));

    private static double RelativeError(double[] expected, ReadOnlySpan<double> actual) => MatrixFixtures.RelativeError(expected, actual);

    [Theory, MemberData(nameof(Names))]
    public void Sqrtm_and_logm_and_their_Frechet_derivatives_agree_with_SciPy(string name)
    {
        var c = Cases.Value.Single(k => k.Name == name);
        foreach (var blas in MatrixFixtures.Blases)
        {
            var a = Tensor.Matrix(c.A, c.N, c.N);
            var e = Tensor.Matrix(c.E, c.N, c.N);
            void Check(string what, double[] expected, Tensor actual, double tol)
            {
                double err = RelativeError(expected, actual.Data);
                Assert.True(err <= tol, $"{name} ({blas.Name}): {what} off by {err:E2}");
            }
            Check("sqrtm", c.Sqrtm, MatrixRootLog.Sqrtm(a, blas), 1e-12);
            Check("logm", c.Logm, MatrixRootLog.Logm(a, blas), 1e-12);
            // the references are SciPy's functions of the 2n×2n block, itself accurate to ~1e-13 times its conditioning
            Check("sqrtm_frechet", c.SqrtmFrechet, MatrixRootLog.SqrtmFrechet(a, e, blas), 1e-10);
            Check("logm_frechet", c.LogmFrechet, MatrixRootLog.LogmFrechet(a, e, blas), 1e-10);
        }
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(7, 2)]
    public void The_Frechet_derivatives_are_directional_derivatives_and_inverse_to_each_other(int n, int seed)
    {
        var rng = new Random(seed);
        var a = Tensor.Zeros(ShapeKind.Matrix, n, n);
        var e = Tensor.Zeros(ShapeKind.Matrix, n, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) { a[i, j] = (i == j ? 2 : 0) + 0.4 * (rng.NextDouble() * 2 - 1); e[i, j] = rng.NextDouble() * 2 - 1; }
        const double h = 1e-5;
        Tensor Step(Tensor x, double t) => Tensor.Matrix(x.Data.Zip(e.Data, (p, q) => p + t * q).ToArray(), n, n);
        foreach (var (f, l) in new (Func<Tensor, Tensor>, Func<Tensor, Tensor, Tensor>)[]
                 { (x => MatrixRootLog.Sqrtm(x), (x, d) => MatrixRootLog.SqrtmFrechet(x, d)), (x => MatrixRootLog.Logm(x), (x, d) => MatrixRootLog.LogmFrechet(x, d)) })
        {
            var fd = f(Step(a, h)).Data.Zip(f(Step(a, -h)).Data, (p, m) => (p - m) / (2 * h)).ToArray();
            Assert.True(RelativeError(fd, l(a, e).Data) <= 1e-7);
        }
        // exp(log(A)) = A, and L_log(A, L_exp(log A, E)) = E (the chain rule through the inverse function)
        var log = MatrixRootLog.Logm(a);
        Assert.True(RelativeError(a.Data, MatrixExponential.Expm(log).Data) <= 1e-13);
        var back = MatrixRootLog.LogmFrechet(a, MatrixExponential.ExpmFrechet(log, e).Frechet);
        Assert.True(RelativeError(e.Data, back.Data) <= 1e-11);
    }

    [Theory]
    [InlineData("sqrtm")]
    [InlineData("logm")]
    public void An_eigenvalue_on_the_negative_real_axis_or_at_zero_is_a_domain_error(string f)
    {
        Func<Tensor, Tensor> fn = f == "sqrtm" ? x => MatrixRootLog.Sqrtm(x) : x => MatrixRootLog.Logm(x);
        var negative = Tensor.Matrix([2, 1, 0, -1], 2, 2);
        var e1 = Assert.Throws<NablaException>(() => fn(negative));
        Assert.Equal(ErrorCodes.DomainError, e1.Diagnostic.Code);
        Assert.Contains("negative real axis", e1.Message);
        var singular = Tensor.Matrix([1, 2, 2, 4], 2, 2);
        Assert.Equal(ErrorCodes.DomainError, Assert.Throws<NablaException>(() => fn(singular)).Diagnostic.Code);
    }
}
