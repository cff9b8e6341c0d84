using Nabla.LinearAlgebra;
using Nabla.Numerics;

namespace Nabla.Tests.Numerics;

/// <summary>Tensors that wrap a caller's row-major array, without copying it.</summary>
public class TensorWrapTests
{
    [Fact]
    public void Matrix_and_vector_wrap_the_array_without_copying()
    {
        var data = new double[] { 1, 2, 3, 4, 5, 6 };
        var m = Tensor.Matrix(data, 2, 3);
        Assert.Same(data, m.Data);
        Assert.Equal(6, m[1, 2]);
        data[5] = 60;
        Assert.Equal(60, m[1, 2]);
        var v = new double[] { 1, 2 };
        Assert.Same(v, Tensor.Vector(v).Data);
    }

    [Fact]
    public void A_length_that_does_not_match_the_shape_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Matrix(new double[5], 2, 3));
        Assert.Contains("a 2×3 matrix needs 6 values, not 5", e.Message);
    }

    /// <summary>The README's "Fast evaluation" snippet, as written there (with small data), compiles and runs.</summary>
    [Fact]
    public void The_readme_snippet_runs()
    {
        int n = 4, d = 2;
        double[] xRowMajor = [1, 2, 3, 4, 5, 6, 7, 8], labels = [1, -1, 1, -1];
        var loss = NablaMath.Parse("sum(softplus(-y.*(X*w)))");
        var grad = loss.Gradient("w");
        var plan = loss.CompileWithGradient("w");
        var x = Tensor.Matrix(xRowMajor, n, d);
        var y = Tensor.Vector(labels);
        var w = Tensor.Vector(new double[d]);
        var values = new Dictionary<string, Tensor> { ["X"] = x, ["y"] = y, ["w"] = w };
        var g = new double[w.Length];
        double value = plan.ValueAndGradient(values, g);
        Assert.Equal(4 * Math.Log(2), value, 12); // w = 0: softplus(0) = log 2 per row
        var g2 = new double[w.Length];
        grad.Compile(NablaMath.Backend("managed")).Evaluate(values, g2);
        Assert.Equal(g, g2);
        Assert.StartsWith("backend ", plan.Describe(values));
    }
}
