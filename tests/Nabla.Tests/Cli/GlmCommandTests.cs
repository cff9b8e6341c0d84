using System.Globalization;
using System.Text.Json.Nodes;

namespace Nabla.Tests.Cli;

/// <summary>`nabla glm`: the table and the JSON of statsmodels' fit from a CSV, the derivation it explains, its refusals word for word.</summary>
public sealed class GlmCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("nabla-glm");
    private readonly JsonArray _cases = (JsonArray)JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Models", "fixtures", "statsmodels_glm.json")))!["cases"]!;

    public void Dispose() => _dir.Delete(recursive: true);

    private (string Path, JsonObject Case) Csv(string name)
    {
        var c = _cases.Single(x => (string)x!["name"]! == name)!.AsObject();
        var path = Path.Combine(_dir.FullName, name + ".csv");
        var lines = new List<string> { string.Join(",", c["features"]!.AsArray().Select(f => (string)f!)) + ",y" };
        var x = c["X"]!.AsArray();
        var y = c["y"]!.AsArray();
        for (int i = 0; i < x.Count; i++)
            lines.Add(string.Join(",", x[i]!.AsArray().Select(v => v!.GetValue<double>().ToString("R", CultureInfo.InvariantCulture))) + "," +
                y[i]!.GetValue<double>().ToString("R", CultureInfo.InvariantCulture));
        File.WriteAllLines(path, lines);
        return (path, c);
    }

    [Fact]
    public void The_json_has_statsmodels_numbers_under_regress_keys()
    {
        var (path, c) = Csv("poisson");
        var (rc, o, e) = CliRunner.Run("glm", path, "--target", "y", "--family", "poisson", "--json");
        Assert.True(rc == 0, e);
        var j = JsonNode.Parse(o)!.AsObject();
        Assert.Equal(["target", "family", "coefficients", "std_errors", "z_values", "p_values", "conf_int", "n", "n_dropped", "df_resid", "cov_type", "log_likelihood", "null_log_likelihood",
            "deviance", "null_deviance", "aic", "bic", "pseudo_r2", "scale", "iterations", "converged", "warnings"], j.Select(kv => kv.Key));
        var coef = j["coefficients"]!.AsObject();
        Assert.Equal(["(intercept)", "x1", "x2", "x3"], coef.Select(kv => kv.Key));
        var want = c["coefficients"]!.AsArray();
        for (int i = 0; i < 4; i++) Assert.Equal(want[i]!.GetValue<double>(), coef.ElementAt(i).Value!.GetValue<double>(), 9);
        Assert.Equal(c["aic"]!.GetValue<double>(), j["aic"]!.GetValue<double>(), 6);
        Assert.True((bool)j["converged"]!);
    }

    [Fact]
    public void The_table_reads_like_statsmodels()
    {
        var (path, _) = Csv("logit");
        var (rc, o, e) = CliRunner.Run("glm", path, "--target", "y", "--family", "binomial");
        Assert.True(rc == 0, e);
        var lines = o.Replace("\r", "").Split('\n');
        Assert.Equal("GLM, binomial (logit link): y ~ (intercept) + x1 + x2 + x3", lines[0]);
        Assert.StartsWith("  n = 200   coefficients = 4   df residual = 196   Newton iterations = ", lines[1]);
        Assert.Equal("  log-likelihood = -108.1829   null log-likelihood = -138.61944   pseudo R² (McFadden) = 0.21957", lines[2]);
        Assert.Equal("                      coef     std err         z      P>|z|       [0.025       0.975]", lines[5]);
        Assert.StartsWith("x1                 1.15708      0.2138     5.411     6.3E-8", lines[7]);
    }

    [Fact]
    public void The_csv_is_required()
    {
        var (rc, _, e) = CliRunner.Run("glm", "--target", "y", "--family", "poisson");
        Assert.Equal(2, rc);
        Assert.Equal("nabla glm: give the CSV file: nabla glm data.csv --target y --family binomial\n", e.Replace("\r", ""));
    }

    [Fact]
    public void Explain_shows_what_nabla_derives()
    {
        var (rc, o, _) = CliRunner.Run("glm", "--family", "binomial", "--explain");
        Assert.Equal(0, rc);
        Assert.Contains("  L(w)   = sum(softplus(X*w)) - y'*(X*w)\n", o.Replace("\r", ""));
        Assert.Contains("  ∇_w L  = X'*(sigmoid(X*w)-y)\n", o.Replace("\r", ""));
    }

    [Fact]
    public void Predict_appends_the_mean_response()
    {
        var (path, c) = Csv("poisson");
        string outPath = Path.Combine(_dir.FullName, "pred.csv");
        var (rc, o, e) = CliRunner.Run("glm", path, "--target", "y", "--family", "poisson", "--predict", path, "--output", outPath);
        Assert.True(rc == 0, e);
        Assert.Contains($"wrote 300 predictions to {outPath}", o);
        var lines = File.ReadAllLines(outPath);
        Assert.Equal("x1,x2,x3,y,prediction", lines[0]);
        var coef = c["coefficients"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        var fields = lines[1].Split(',').Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        double eta = coef[0] + coef[1] * fields[0] + coef[2] * fields[1] + coef[3] * fields[2];
        Assert.Equal(Math.Exp(eta), fields[4], 9);
        (rc, _, e) = CliRunner.Run("glm", path, "--target", "y", "--family", "poisson", "--predict", path, "--output", path);
        Assert.Equal(2, rc);
        Assert.Equal($"nabla glm: --output '{path}' is also an input ('{path}'); writing it would destroy the data: choose another file\n", e.Replace("\r", ""));
    }

    [Theory]
    [InlineData(2, "nabla glm: --family is required: binomial, poisson or gaussian\n", "--target", "y")]
    [InlineData(2, "nabla glm: give a formula (nabla glm data.csv \"y ~ x1 + x2\" --family binomial) or --target: the column to model\n", "--family", "poisson")]
    [InlineData(2, "nabla glm: --output needs --predict: the CSV to predict for\n", "--target", "y", "--family", "poisson", "--output", "/tmp/nabla-glm-out.csv")]
    [InlineData(2, "nabla glm: --decimal takes '.' or ',', not ';'\n", "--target", "y", "--family", "poisson", "--decimal", ";")]
    [InlineData(1, "error: the binomial family needs a target of 0s and 1s; y is 3 in row 1\n", "--target", "y", "--family", "binomial")]
    public void Mistakes_are_said(int code, string message, params string[] rest)
    {
        var (path, _) = Csv("poisson");
        var lines = File.ReadAllLines(path);
        lines[1] = string.Join(",", lines[1].Split(',')[..^1]) + ",3";
        File.WriteAllLines(path, lines);
        var (rc, _, e) = CliRunner.Run(["glm", path, .. rest]);
        Assert.Equal(code, rc);
        Assert.Equal(message, e.Replace("\r", ""));
    }
}
