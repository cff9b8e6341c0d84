using Nabla.Api;
using Nabla.LinearAlgebra;
using Nabla.Numerics;

namespace Nabla.Tests.Generators;

/// <summary>
/// [Derive] as a user meets it: the generator runs as an analyzer in this project's own build, so these bodies were
/// written by `dotnet build`, not by a test harness.
/// </summary>
public static partial class GeneratedInTheBuild
{
    [Derive("sum(softplus(-y.*(X*w))) + lambda/2*w'*w", Wrt = "w")]
    public static partial (double Value, Tensor Gradient) RidgeLogistic(Tensor X, Tensor y, Tensor w, double lambda, IBlas? blas = null);

    [Derive("logdet(S) - tr(inv(S)*C)", Wrt = "S", Vars = "S: symmetric; C: symmetric")]
    public static partial (double Value, Tensor Gradient) GaussianLogLikelihood(Tensor S, Tensor C);
}

public class GeneratedInTheBuildTests
{
    [Fact]
    public void The_built_methods_agree_with_the_evaluator()
    {
        var rng = new Random(3);
        var f = NablaMath.Parse("sum(softplus(-y.*(X*w))) + lambda/2*w'*w", new Dictionary<string, string> { ["lambda"] = "scalar" });
        var values = RandomPoint.Draw(f.Expression, f.Variables, rng);
        var (value, gradient) = GeneratedInTheBuild.RidgeLogistic(values["X"], values["y"], values["w"], values["lambda"].ScalarValue);
        Assert.Equal(f.Evaluate(values).ScalarValue, value, 12);
        var want = f.Gradient("w").Evaluate(values).Data;
        for (int i = 0; i < want.Length; i++) Assert.Equal(want[i], gradient.Data[i], 12);

        var g = NablaMath.Parse("logdet(S) - tr(inv(S)*C)", new Dictionary<string, string> { ["S"] = "symmetric", ["C"] = "symmetric" });
        var at = new Dictionary<string, Tensor> { ["S"] = RandomPoint.Spd(3, rng, shift: true), ["C"] = RandomPoint.Spd(3, rng, shift: true) };
        var (v2, g2) = GeneratedInTheBuild.GaussianLogLikelihood(at["S"], at["C"]);
        Assert.Equal(g.Evaluate(at).ScalarValue, v2, 12);
        var want2 = g.Gradient("S").Evaluate(at).Data;
        for (int i = 0; i < want2.Length; i++) Assert.Equal(want2[i], g2.Data[i], 12);
    }

    [Fact]
    public void A_wrong_shape_is_refused_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => GeneratedInTheBuild.RidgeLogistic(Tensor.Vector(1, 2), Tensor.Vector(1, 2), Tensor.Vector(1, 2), 0.1));
        Assert.StartsWith("X must be a matrix (n, m), got a vector of 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => GeneratedInTheBuild.RidgeLogistic(Tensor.Matrix(new double[6], 3, 2), Tensor.Vector(1, 2, 3), Tensor.Vector(1, 2, 3), 0.1));
        Assert.StartsWith("w must be a vector (m) with m = 2, got 3", e.Message);
    }
}
