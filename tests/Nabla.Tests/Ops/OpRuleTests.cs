using Nabla.Calculus;
using Nabla.Expressions;
using Nabla.LinearAlgebra;
using Nabla.Numerics;
using Nabla.Ops;

namespace Nabla.Tests.Ops;

/// <summary>
/// Each op's one derivative rule, checked where it is written: the differential against central differences in a random
/// direction, and the gradient the calculus derives from it (by transposing it) against the adjoint identity
/// ⟨G, L(V)⟩ = ⟨Lᵀ(G), V⟩, at random points inside the op's domain, for every argument shape its signature admits.
/// </summary>
public class OpRuleTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var op in Functions.ByName.Values.Where(o => o.Arity == 1))
            foreach (var shape in Shapes(op.Signature))
                data.Add(op.Name, shape);
        return data;
    }

    private static string[] Shapes(Signature s) => s switch
    {
        Signature.Elementwise => ["scalar", "vector", "matrix"],
        Signature.SquareToScalar or Signature.SquareToSquare => ["square"],
        Signature.Diag => ["vector", "square"],
        Signature.AnyToScalar => ["scalar", "vector", "matrix"],
        _ => ["vector"],
    };

    private static (Var Var, Tensor Value) Argument(FunctionOp op, string shape, Random rng)
    {
        double Entry() => op.Signature == Signature.Elementwise ? 0.2 + 0.7 * rng.NextDouble() : rng.NextDouble() * 2 - 1; // inside every domain
        Tensor Fill(ShapeKind k, int r, int c) { var t = Tensor.Zeros(k, r, c); for (int i = 0; i < t.Length; i++) t.Data[i] = Entry(); return t; }
        return shape switch
        {
            "scalar" => (new Var("X", Shape.Scalar), Fill(ShapeKind.Scalar, 1, 1)),
            "vector" => (new Var("X", Shape.Vector(Dim.Of(4))), Fill(ShapeKind.Vector, 4, 1)),
            "matrix" => (new Var("X", Shape.Matrix(Dim.Of(2), Dim.Of(3))), Fill(ShapeKind.Matrix, 2, 3)),
            _ => (new Var("X", Shape.Matrix(Dim.Of(3), Dim.Of(3))), RandomPoint.Spd(3, rng, shift: true)),
        };
    }

    private static Tensor Like(Tensor t, Random rng)
    {
        var r = Tensor.Zeros(t.Kind, t.Rows, t.Cols);
        for (int i = 0; i < r.Length; i++) r.Data[i] = rng.NextDouble() * 2 - 1;
        return r;
    }

    private static double Inner(Tensor a, Tensor b) => a.Data.Zip(b.Data, (p, q) => p * q).Sum();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Differential_matches_finite_differences_and_its_transpose_is_the_gradient(string name, string shape)
    {
        var op = Functions.ByName[name];
        var rng = new Random(name.GetHashCode(StringComparison.Ordinal) ^ shape.Length);
        for (int trial = 0; trial < 3; trial++)
        {
            var (x, value) = Argument(op, shape, rng);
            var node = new Call(op, x);
            var v = new Var("V", x.Shape);
            var dir = Like(value, rng);
            var values = new Dictionary<string, Tensor> { ["X"] = value, ["V"] = dir };
            var differential = Evaluator.Evaluate(op.Differential(node, v), values);

            const double h = 1e-5;
            Tensor At(double t)
            {
                var p = Tensor.Zeros(value.Kind, value.Rows, value.Cols);
                for (int i = 0; i < p.Length; i++) p.Data[i] = value.Data[i] + t * dir.Data[i];
                return op.Evaluate(p);
            }
            var plus = At(h);
            var minus = At(-h);
            for (int i = 0; i < differential.Length; i++)
            {
                double fd = (plus.Data[i] - minus.Data[i]) / (2 * h);
                Assert.True(Math.Abs(fd - differential.Data[i]) <= 1e-6 * (1 + Math.Abs(fd)),
                    $"d {name}({shape}) entry {i}: rule {differential.Data[i]:G10}, central difference {fd:G10}");
            }

            var g = new Var("G", node.Shape);
            var cotangent = Like(op.Evaluate(value), rng);
            values["G"] = cotangent;
            var adjoint = Evaluator.Evaluate(Differentiator.Adjoint(node, g), values);
            Assert.Equal(Inner(cotangent, differential), Inner(adjoint, dir), 9);
        }
    }

    [Fact]
    public void Every_function_of_the_language_is_checked_here()
    {
        string[] twoArguments = ["expm_frechet", "logm_frechet", "sqrtm_frechet"]; // below
        var checkedNames = Cases().Select(row => (string)row[0]).Concat(twoArguments).ToHashSet();
        Assert.Equal(Functions.ByName.Keys.Order(), checkedNames.Order());
        Assert.Equal(twoArguments.Order(), Functions.ByName.Values.Where(o => o.Arity > 1).Select(o => o.Name).Order());
    }

    /// <summary>
    /// expm_frechet(X, E): linear in E (its differential in E is itself in dE, against central differences of the
    /// kernel), its adjoint in E the identity ⟨G, L(X, V)⟩ = ⟨L(X', G), V⟩, its derivative in X an honest refusal.
    /// </summary>
    [Theory]
    [InlineData("expm")]
    [InlineData("logm")]
    [InlineData("sqrtm")]
    public void A_Frechet_derivative_is_linear_in_its_direction_with_the_transposed_point_as_adjoint(string function)
    {
        var rng = new Random(11);
        var op = ((PrimaryMatrixFunction)Functions.ByName[function]).Frechet;
        var shape = Shape.Matrix(Dim.Of(4), Dim.Of(4));
        var (x, e, v, g) = (new Var("X", shape), new Var("E", shape), new Var("V", shape), new Var("G", shape));
        var node = new Call(op, [x, e]);
        for (int trial = 0; trial < 3; trial++)
        {
            Tensor R() { var t = Tensor.Zeros(ShapeKind.Matrix, 4, 4); for (int i = 0; i < 16; i++) t.Data[i] = rng.NextDouble() * 2 - 1; return t; }
            var point = R();
            for (int i = 0; i < 4; i++) point[i, i] += 3; // eigenvalues off the negative real axis, for logm and sqrtm
            var values = new Dictionary<string, Tensor> { ["X"] = point, ["E"] = R(), ["V"] = R(), ["G"] = R() };
            var differential = Evaluator.Evaluate(op.DifferentialOf(node, [null, v]), values);
            const double h = 1e-5;
            Tensor At(double t) => op.Evaluate([values["X"], Tensor.Matrix(values["E"].Data.Zip(values["V"].Data, (p, q) => p + t * q).ToArray(), 4, 4)]);
            var (plus, minus) = (At(h), At(-h));
            for (int i = 0; i < 16; i++)
                Assert.True(Math.Abs((plus.Data[i] - minus.Data[i]) / (2 * h) - differential.Data[i]) <= 1e-7 * (1 + Math.Abs(differential.Data[i])));
            var adjoint = Evaluator.Evaluate(op.AdjointOf(node, 1, g), values);
            Assert.Equal(Inner(values["G"], differential), Inner(adjoint, values["V"]), 9);
        }
        Assert.Equal(Nabla.Diagnostics.ErrorCodes.NotDifferentiable,
            Assert.Throws<Nabla.Diagnostics.NablaException>(() => op.AdjointOf(node, 0, g)).Diagnostic.Code);
        Assert.Equal(Nabla.Diagnostics.ErrorCodes.NotDifferentiable,
            Assert.Throws<Nabla.Diagnostics.NablaException>(() => op.DifferentialOf(node, [v, null])).Diagnostic.Code);
    }

    /// <summary>
    /// Each op's sign fact (<see cref="FunctionOp.Image"/>, what the convexity certificate reasons with) holds: for
    /// argument intervals of every kind — all reals, positive, non-negative, negative, bounded, a point — values drawn
    /// inside them (the ends included where closed, and far out) give results inside the image.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void The_sign_fact_holds_for_values_drawn_in_the_argument_interval(string name, string shape)
    {
        var op = Functions.ByName[name];
        var rng = new Random(name.GetHashCode(StringComparison.Ordinal) ^ shape.Length);
        Interval[] intervals = [Interval.All, Interval.Positive, Interval.NonNegative, Interval.Positive.Negate(), new(-2, 3), new(0.5, 4, true, false), new(1, 1), new(-1, 1, true, true)];
        foreach (var iv in intervals)
        {
            var image = op.Image(iv);
            if (image == Interval.All) continue;
            double Draw()
            {
                double lo = double.IsInfinity(iv.Lo) ? -50 : iv.Lo, hi = double.IsInfinity(iv.Hi) ? 50 : iv.Hi;
                double u = rng.NextDouble();
                double v = rng.Next(4) switch { 0 when !iv.LoOpen => lo, 1 when !iv.HiOpen => hi, _ => lo + (hi - lo) * u };
                if ((iv.LoOpen && v <= iv.Lo) || (iv.HiOpen && v >= iv.Hi)) v = (lo + hi) / 2;
                return v;
            }
            for (int trial = 0; trial < 200; trial++)
            {
                var (_, value) = Argument(op, shape, rng);
                if (shape == "square" && op.Signature != Signature.Diag) continue; // square-matrix ops' facts are not drawn this way
                var arg = new Tensor(value.Kind, value.Rows, value.Cols, value.Data.Select(_ => Draw()).ToArray());
                Tensor result;
                try { result = op.Evaluate(arg); } catch (Nabla.Diagnostics.NablaException) { continue; } // outside the op's own domain
                for (int k = 0; k < result.Length; k++)
                {
                    double r = result.Data[k];
                    if (double.IsNaN(r)) continue;
                    bool inside = (r > image.Lo || (r == image.Lo && !image.LoOpen)) && (r < image.Hi || (r == image.Hi && !image.HiOpen));
                    // rounding: an open end reached numerically (sigmoid(40) = 1.0 in doubles) is the end, not a counterexample
                    // (sigmoid and tanh reach 1.0 in doubles from about 37 and 19)
                    bool far = (op.Signature == Signature.Elementwise ? Math.Abs(arg.Data[k]) : arg.Data.Max(Math.Abs)) >= 15;
                    bool rounding = far && (Math.Abs(r - image.Lo) <= 1e-12 * Math.Max(1, Math.Abs(r)) || Math.Abs(r - image.Hi) <= 1e-12 * Math.Max(1, Math.Abs(r)));
                    Assert.True(inside || rounding, $"{name}({shape}) with argument entries in {iv}: the value {r} is outside the image {image}");
                }
            }
        }
    }
}
