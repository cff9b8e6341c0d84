using System.Text.Json;
using Nabla.Diagnostics;
using Nabla.LinearAlgebra;

namespace Nabla.Tests.Numerics;

/// <summary>
/// The matrix exponential and its Fréchet derivative against SciPy (fixtures/make_expm_fixtures.py: scipy.linalg.expm and
/// expm_frechet on norms 1e-3 to 1e3, symmetric, non-normal and near-defective matrices) to 1e-12 relative in the
/// Frobenius norm, on both backends; and identities that need no reference: L(A, E) against the block form
/// expm([A E; 0 A]) and central differences, L(A, I) = expm(A), expm(A') = expm(A)'.
/// </summary>
public sealed class ExpmTests
{
    private sealed record Case(string Name, int N, double[] A, double[] E, double[] Expm, double[] Frechet);

    private static readonly Lazy<List<Case>> Cases = new(() => MatrixFixtures.Load("expm.json")
        .Select(c => new Case(c.Name, c.N, c.Arrays["A"], c.Arrays["E"], c.Arrays["expm"], c.Arrays["frechet"])).ToList());

    public static TheoryData<string> Names() => new(Cases.Value.Select(c => c.Name));

    private static double RelativeError(double[] expected, ReadOnlySpan<double> actual) => MatrixFixtures.RelativeError(expected, actual);

    [Theory, MemberData(nameof(Names))]
    public void Expm_and_its_Frechet_derivative_agree_with_SciPy(string name)
    {
        var c = Cases.Value.Single(k => k.Name == name);
        foreach (var blas in MatrixFixtures.Blases)
        {
            var a = Tensor.Matrix(c.A, c.N, c.N);
            var x = MatrixExponential.Expm(a, blas);
            Assert.True(RelativeError(c.Expm, x.Data) <= 1e-12, $"{name} ({blas.Name}): expm off by {RelativeError(c.Expm, x.Data):E2}");
            var (x2, l) = MatrixExponential.ExpmFrechet(a, Tensor.Matrix(c.E, c.N, c.N), blas);
            Assert.True(RelativeError(c.Expm, x2.Data) <= 1e-12, $"{name} ({blas.Name}): expm with the derivative off by {RelativeError(c.Expm, x2.Data):E2}");
            Assert.True(RelativeError(c.Frechet, l.Data) <= 1e-12, $"{name} ({blas.Name}): L(A, E) off by {RelativeError(c.Frechet, l.Data):E2}");
        }
    }

    [Theory]
    [InlineData(3, 0.3, 1)]
    [InlineData(6, 3.0, 2)]
    [InlineData(10, 40.0, 3)]
    public void The_Frechet_derivative_is_the_corner_of_the_block_exponential_and_the_directional_derivative(int n, double norm, int seed)
    {
        var rng = new Random(seed);
        var a = Random(rng, n, norm);
        var e = Random(rng, n, 1);
        var (_, l) = MatrixExponential.ExpmFrechet(a, e);
        // expm([A E; 0 A]) has L(A, E) in its upper right block.
        var block = Tensor.Zeros(ShapeKind.Matrix, 2 * n, 2 * n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) { block[i, j] = a[i, j]; block[i, j + n] = e[i, j]; block[i + n, j + n] = a[i, j]; }
        var big = MatrixExponential.Expm(block);
        var corner = new double[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) corner[i * n + j] = big[i, j + n];
        Assert.True(RelativeError(corner, l.Data) <= 1e-12, $"block form differs by {RelativeError(corner, l.Data):E2}");
        // central differences, step h ~ cbrt(eps)
        double h = 1e-5 / Math.Max(1, norm);
        var plus = MatrixExponential.Expm(Add(a, e, h));
        var minus = MatrixExponential.Expm(Add(a, e, -h));
        var fd = plus.Data.Zip(minus.Data, (p, m) => (p - m) / (2 * h)).ToArray();
        Assert.True(RelativeError(fd, l.Data) <= 1e-6, $"central differences differ by {RelativeError(fd, l.Data):E2}");
    }

    [Fact]
    public void The_derivative_along_the_identity_is_the_exponential_and_transposes_commute()
    {
        var rng = new Random(7);
        var a = Random(rng, 5, 2.5);
        var (x, l) = MatrixExponential.ExpmFrechet(a, Identity(5));
        Assert.True(RelativeError(x.Data, l.Data) <= 1e-13);
        var xt = MatrixExponential.Expm(Transposed(a));
        Assert.True(RelativeError(Transposed(x).Data, xt.Data) <= 1e-13);
    }

    [Fact]
    public void A_non_finite_entry_is_a_domain_error()
    {
        var a = Identity(3);
        a[1, 2] = double.NaN;
        Assert.Equal(ErrorCodes.DomainError, Assert.Throws<NablaException>(() => MatrixExponential.Expm(a)).Diagnostic.Code);
    }

    [Fact]
    public void An_empty_matrix_has_an_empty_exponential() =>
        Assert.Empty(MatrixExponential.Expm(Tensor.Zeros(ShapeKind.Matrix, 0, 0)).Data);

    private static Tensor Random(Random rng, int n, double norm)
    {
        var t = Tensor.Zeros(ShapeKind.Matrix, n, n);
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) t[i, j] = rng.NextDouble() * 2 - 1;
        double m = 0;
        for (int j = 0; j < n; j++) { double s = 0; for (int i = 0; i < n; i++) s += Math.Abs(t[i, j]); m = Math.Max(m, s); }
        for (int i = 0; i < t.Data.Length; i++) t.Data[i] *= norm / m;
        return t;
    }

    private static Tensor Add(Tensor a, Tensor e, double h) => Tensor.Matrix(a.Data.Zip(e.Data, (x, y) => x + h * y).ToArray(), a.Rows, a.Cols);

    private static Tensor Identity(int n)
    {
        var t = Tensor.Zeros(ShapeKind.Matrix, n, n);
        for (int i = 0; i < n; i++) t[i, i] = 1;
        return t;
    }

    private static Tensor Transposed(Tensor a)
    {
        var t = Tensor.Zeros(ShapeKind.Matrix, a.Cols, a.Rows);
        for (int i = 0; i < a.Rows; i++) for (int j = 0; j < a.Cols; j++) t[j, i] = a[i, j];
        return t;
    }
}
