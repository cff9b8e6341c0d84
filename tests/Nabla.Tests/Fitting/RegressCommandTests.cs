using System.Text.Json;
using Nabla.Cli;

namespace Nabla.Tests.Fitting;

/// <summary>`nabla regress`: the table, --json, --predict, --explain and the exit codes (0 ok, 1 bad input, 2 bad command line).</summary>
public class RegressCommandTests
{
    private static string Fixture(string name) => Path.Combine(FixtureTests.Dir, name + ".csv");

    private static (int Rc, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int rc = Commands.Run(args, o, e);
        return (rc, o.ToString(), e.ToString());
    }

    [Fact]
    public void Json_has_the_contracted_fields()
    {
        var (rc, stdout, _) = Run("regress", Fixture("collinear"), "--target", "y", "--json");
        Assert.Equal(0, rc);
        var j = JsonDocument.Parse(stdout).RootElement;
        foreach (var key in new[] { "coefficients", "std_errors", "rank", "condition_number", "r2", "n", "solver", "warnings" })
            Assert.True(j.TryGetProperty(key, out _), key);
        var expected = FixtureTests.Expected("collinear").GetProperty("coefficients").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        FixtureTests.Close(expected[0], j.GetProperty("coefficients").GetProperty("(intercept)").GetDouble(), 1e-9, "intercept");
        FixtureTests.Close(expected[3], j.GetProperty("coefficients").GetProperty("x3").GetDouble(), 1e-9, "x3");
        Assert.Equal(3, j.GetProperty("rank").GetInt32());
        Assert.Equal(60, j.GetProperty("n").GetInt32());
        Assert.Contains(j.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("x3 = 2*x1 - x2"));
    }

    [Fact]
    public void The_table_shows_the_summary()
    {
        var (rc, stdout, _) = Run("regress", Fixture("wellposed"), "--target", "y", "--features", "x1,x2,x3");
        Assert.Equal(0, rc);
        Assert.Contains("OLS regression: y ~ (intercept) + x1 + x2 + x3", stdout);
        Assert.Contains("solver = normal", stdout);
        Assert.Contains("R² = ", stdout);
        Assert.Contains("P>|t|", stdout);
    }

    [Fact]
    public void No_intercept_ridge_and_solver_options_are_honoured()
    {
        var (rc, stdout, _) = Run("regress", Fixture("no_intercept"), "--target", "y", "--no-intercept", "--solver", "qr", "--json");
        Assert.Equal(0, rc);
        var j = JsonDocument.Parse(stdout).RootElement;
        Assert.False(j.GetProperty("coefficients").TryGetProperty("(intercept)", out _));
        Assert.Equal("qr", j.GetProperty("solver").GetString());
        (rc, stdout, _) = Run("regress", Fixture("ridge"), "--target", "y", "--ridge", "2.5", "--json");
        Assert.Equal(0, rc);
        var expected = FixtureTests.Expected("ridge").GetProperty("coefficients").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        FixtureTests.Close(expected[1], JsonDocument.Parse(stdout).RootElement.GetProperty("coefficients").GetProperty("u").GetDouble(), 1e-9, "u");
    }

    [Fact]
    public void Predictions_go_to_stdout_and_the_summary_to_stderr()
    {
        var (rc, stdout, stderr) = Run("regress", Fixture("wellposed"), "--target", "y", "--predict", Fixture("wellposed"));
        Assert.Equal(0, rc);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("x1,x2,x3,y,prediction", lines[0]);
        Assert.Equal(51, lines.Length);
        Assert.Contains("OLS regression", stderr);
    }

    [Fact]
    public void Explain_shows_what_Nabla_derives()
    {
        var (rc, stdout, _) = Run("regress", "--explain");
        Assert.Equal(0, rc);
        Assert.Contains("∇_w Q = -2*X'*(y-X*w)", stdout);
        Assert.Contains("2*X'*(X*w-y)", stdout);
        Assert.Contains("H = 2*X'*X", stdout);
        Assert.Contains("2*X'*X*w = 2*X'*y", stdout);
        Assert.Contains("positive semi-definite", stdout);
        Assert.DoesNotContain("seed", stdout); // it speaks to the user, not of the seminar it came from
    }

    [Fact]
    public void The_header_counts_features_and_columns_alike_and_a_singular_design_has_an_infinite_condition_number()
    {
        foreach (var solver in new[] { "auto", "normal", "svd" })
        {
            var (rc, stdout, _) = Run("regress", Fixture("dup_intercept"), "--target", "y", "--solver", solver);
            Assert.Equal(0, rc);
            Assert.Contains("  n = 30   features = 3 + intercept   rank = 3 of 4 columns   condition number = inf   solver = ", stdout);
        }
        var (_, noIntercept, _) = Run("regress", Fixture("dup_intercept"), "--target", "y", "--no-intercept");
        Assert.Contains("  n = 30   features = 3   rank = 3 of 3 columns   condition number = ", noIntercept);
    }

    [Fact]
    public void Bad_data_exits_1_with_the_message()
    {
        var (rc, _, stderr) = Run("regress", Fixture("wellposed"), "--target", "price");
        Assert.Equal(1, rc);
        Assert.StartsWith("error: the target column 'price' is not in the header", stderr);
    }

    [Theory]
    [InlineData("regress", "data.csv", "--target", "y", "--solver", "magic")]
    [InlineData("regress", "data.csv")]
    [InlineData("regress", "data.csv", "--target", "y", "--ridge", "-1")]
    [InlineData("regress", "data.csv", "--target", "y", "--ridge", "lots")]
    public void A_bad_command_line_exits_2(params string[] args) => Assert.Equal(2, Run(args).Rc);
}
