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
        foreach (var op in Functions.ByName.Values)
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
        var checkedNames = Cases().Select(row => (string)row[0]).ToHashSet();
        Assert.Equal(Functions.ByName.Keys.Order(), checkedNames.Order());
    }
}
