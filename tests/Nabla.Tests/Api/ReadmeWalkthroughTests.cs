using Nabla.LinearAlgebra;
using Nabla.Models;
using Nabla.Optimization;

namespace Nabla.Tests.Api;

/// <summary>
/// The README's "The library in six steps", line for line (keep the two the same): parse, derive, compile, evaluate,
/// train, regress.
/// </summary>
public class ReadmeWalkthroughTests
{
    [Fact]
    public void The_six_steps_run_and_agree()
    {
        // data: 200 rows, 3 features, labels ±1
        var rng = new Random(1);
        int n = 200, d = 3;
        var xData = new double[n * d];
        var labels = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) xData[i * d + j] = rng.NextDouble() * 2 - 1;
            labels[i] = xData[i * d] - xData[i * d + 1] + 0.3 * (rng.NextDouble() - 0.5) > 0 ? 1 : -1;
        }

        // 1. parse: types from the naming convention (X matrix, w and y vectors), or give them
        var loss = NablaMath.Parse("sum(softplus(-y.*(X*w))) + lambda*w'*w", new Dictionary<string, string> { ["lambda"] = "scalar" });
        // 2. derive: the gradient in matrix form, simplified
        var grad = loss.Gradient("w");                                       // 2*lambda*w-X'*(y.*sigmoid(-y.*(X*w)))
        // 3. compile: value and gradient in one plan, buffers laid out once
        var plan = loss.CompileWithGradient("w");
        var values = new Dictionary<string, Tensor>
        {
            ["X"] = Tensor.Matrix(xData, n, d),                              // wraps the row-major array: no copy
            ["y"] = Tensor.Vector(labels),
            ["lambda"] = Tensor.Scalar(0.01),
            ["w"] = Tensor.Vector(new double[d]),
        };
        // 4. evaluate: no allocation per call
        var g = new double[d];
        double value = plan.ValueAndGradient(values, g);
        // 5. train: L-BFGS on that gradient; the result says why it stopped
        var fit = loss.Minimize(["w"], values, new MinimizeOptions { Method = Method.Lbfgs });
        Tensor w = fit.Minimizer["w"];
        // 6. regress: least squares with the statsmodels summary (and logistic regression as a GLM)
        var ols = LinearRegression.Fit(Tensor.Matrix(xData, n, d), Tensor.Vector(labels));
        var logit = Glm.Fit(xData, n, d, labels.Select(v => v > 0 ? 1.0 : 0.0).ToArray(), new GlmOptions { Family = Family.Binomial });

        Assert.Equal("2*lambda*w-X'*(y.*sigmoid(-y.*(X*w)))", grad.ToString());
        Assert.Equal(n * Math.Log(2), value, 10);                            // at w = 0 every softplus is log 2
        Assert.True(fit.Converged, fit.Message);
        Assert.True(w.Data[0] > 0 && w.Data[1] < 0);
        Assert.True(ols.Coefficients[0] > 0 && logit.Coefficients[1].Estimate > 0 && logit.Converged);
    }

    [Fact]
    public void The_readme_shows_this_code()
    {
        var readme = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md")).Replace("\r", "");
        int at = readme.IndexOf("## The library in six steps", StringComparison.Ordinal);
        Assert.True(at >= 0, "the README has no section 'The library in six steps'");
        int from = readme.IndexOf("```csharp\n", at, StringComparison.Ordinal) + 10;
        var block = readme[from..readme.IndexOf("```", from, StringComparison.Ordinal)].Split('\n')
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("using ", StringComparison.Ordinal)).ToList();
        var mine = File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "tests", "Nabla.Tests", "Api", "ReadmeWalkthroughTests.cs")).Select(l => l.Trim()).ToList();
        int k = 0;
        foreach (var line in block)
        {
            while (k < mine.Count && mine[k] != line) k++;
            Assert.True(k < mine.Count, $"the README's line is not in the test (in order): {line}");
        }
    }
}
