using Nabla.Data;
using Nabla.Models;
using Nabla.Models.Formulas;
using Nabla.Sql;

namespace Nabla.Tests.Sql;

/// <summary>
/// Least squares pushed down to DuckDB against the in-memory fit of the same formula on the same file: coefficients,
/// standard errors, R² and the residual sum of squares to 1e-9 relative, with text and C(x) categorical terms, a boolean,
/// a log transform, an interaction, missing values (the same rows dropped) and weights; a dependent column named from
/// the aggregates alone; K partitions summed equal one pass; a column name that is SQL is quoted, never run.
/// </summary>
public sealed class SqlRegressionTests
{
    private static string Fixture(string name) => Path.Combine(TestPaths.RepoRoot, "tests", "Nabla.Tests", "Data", "fixtures", name);

    private static void Same(RegressionResult memory, RegressionResult pushed, string what)
    {
        Assert.Equal(memory.N, pushed.N);
        Assert.Equal(memory.Rank, pushed.Rank);
        var byName = pushed.Table.ToDictionary(r => r.Name);
        Assert.Equal(memory.Table.Select(r => r.Name).Order(), byName.Keys.Order());
        static void Near(double a, double b, string label)
        {
            double scale = Math.Max(1e-300, Math.Max(Math.Abs(a), Math.Abs(b)));
            Assert.True(Math.Abs(a - b) <= 1e-9 * scale + 1e-12, $"{label}: in memory {a:R}, pushed down {b:R}");
        }
        foreach (var r in memory.Table)
        {
            Near(r.Estimate, byName[r.Name].Estimate, $"{what}: {r.Name} estimate");
            Near(r.StdError, byName[r.Name].StdError, $"{what}: {r.Name} standard error");
        }
        Near(memory.RSquared, pushed.RSquared, $"{what}: R²");
        Near(memory.ResidualSumOfSquares, pushed.ResidualSumOfSquares, $"{what}: RSS");
    }

    [Theory]
    [InlineData("price ~ sqft + beds + city + garden", null)]
    [InlineData("price ~ sqft + C(beds) + city + log(sqft) + sqft:age", null)]
    [InlineData("price ~ sqft + beds + C(city, Treatment(reference='Toulouse'))", "w")]
    [InlineData("np.log(price) ~ sqft + age + city", null)]
    public void The_pushed_down_fit_equals_the_in_memory_fit(string formulaText, string? weights)
    {
        var path = Fixture("houses.csv");
        var formula = Formula.Parse(formulaText);
        var (memory, design) = FormulaModels.Regress(FrameReader.Read(path), formula, new RegressionOptions(), new DesignOptions { Weights = weights });
        var pushed = SqlRegression.Fit(SqlSource.File(path), formula, weights: weights);
        Assert.Equal(design.Dropped, pushed.Dropped);
        Same(memory, pushed.Fit, formulaText);
    }

    [Fact]
    public void A_query_is_a_source_and_partitions_sum_to_one_pass()
    {
        var formula = Formula.Parse("price ~ sqft + beds + city");
        var query = SqlSource.Select($"SELECT * FROM {SqlSource.File(Fixture("houses.csv")).Relation()} WHERE age < 60");
        var one = SqlRegression.Fit(query, formula);
        var four = SqlRegression.Fit(query, formula, partitions: 4);
        Assert.Equal(4, four.Queries.Count(q => q.Contains("nabla_row %")));
        Same(one.Fit, four.Fit, "4 partitions");
        var frame = FrameReader.Read(Fixture("houses.csv"));
        Assert.True(one.Fit.N < frame.Rows);
    }

    [Fact]
    public void A_dependent_column_is_named_from_the_aggregates()
    {
        var query = SqlSource.Select($"SELECT price, sqft, beds, 2*sqft - beds AS combo FROM {SqlSource.File(Fixture("houses.csv")).Relation()}");
        var fit = SqlRegression.Fit(query, Formula.Parse("price ~ sqft + beds + combo")).Fit;
        Assert.Equal(3, fit.Rank);
        Assert.Contains(fit.Warnings, w => w.Contains("combo"));
    }

    [Fact]
    public void A_single_precision_column_is_said_to_limit_the_digits()
    {
        var relation = SqlSource.File(Fixture("houses.csv")).Relation();
        var fit = SqlRegression.Fit(SqlSource.Select($"SELECT price, CAST(sqft AS FLOAT) AS sqft, beds FROM {relation}"), Formula.Parse("price ~ sqft + beds")).Fit;
        Assert.Contains(fit.Warnings, w => w.StartsWith("sqft is stored in single precision", StringComparison.Ordinal));
        var exact = SqlRegression.Fit(SqlSource.File(Fixture("houses.csv")), Formula.Parse("price ~ sqft + beds")).Fit;
        Assert.DoesNotContain(exact.Warnings, w => w.Contains("single precision"));
    }

    [Fact]
    public void A_column_name_that_is_sql_is_quoted_and_never_run()
    {
        var dir = Directory.CreateTempSubdirectory("nabla-sql");
        try
        {
            var csv = Path.Combine(dir.FullName, "odd.csv");
            var rng = new Random(3);
            var lines = new List<string> { "y,\"a; DROP TABLE t\"" };
            for (int i = 0; i < 50; i++) { double a = rng.NextDouble(); lines.Add($"{2 * a + 0.1 * rng.NextDouble():R},{a:R}"); }
            File.WriteAllLines(csv, lines);
            var fit = SqlRegression.Fit(SqlSource.File(csv), Formula.Parse("y ~ Q('a; DROP TABLE t')"));
            Assert.Contains(fit.Queries, q => q.Contains("\"a; DROP TABLE t\""));
            Assert.Equal(2, fit.Fit.Table.Count);
            Assert.True(File.Exists(csv));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void A_missing_column_and_an_unsupported_term_are_clear_errors()
    {
        var path = Fixture("houses.csv");
        var e1 = Assert.Throws<ArgumentException>(() => SqlRegression.Fit(SqlSource.File(path), Formula.Parse("price ~ sqfeet")));
        Assert.Contains("no column 'sqfeet'", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => SqlRegression.Fit(SqlSource.File(path), Formula.Parse("price ~ I(sqft^2)")));
        Assert.Contains("not pushed down", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => SqlRegression.Fit(SqlSource.File(path), Formula.Parse("price ~ sqft + sqft:city")));
        Assert.Contains("interaction with a categorical factor", e3.Message);
    }
}

/// <summary>nabla regress --engine duckdb and --sql: the same table as the in-memory route, and the refusals.</summary>
public sealed class SqlRegressCommandTests
{
    private static string Houses => Path.Combine(TestPaths.RepoRoot, "tests", "Nabla.Tests", "Data", "fixtures", "houses.csv");

    [Fact]
    public void Regress_with_the_duckdb_engine_prints_the_in_memory_table()
    {
        var (rc, pushed, err) = Nabla.Tests.Cli.CliRunner.Run("regress", Houses, "price ~ sqft + beds + city + garden", "--engine", "duckdb");
        Assert.True(rc == 0, err);
        var (rc2, memory, _) = Nabla.Tests.Cli.CliRunner.Run("regress", Houses, "price ~ sqft + beds + city + garden");
        Assert.Equal(0, rc2);
        static string Coefficients(string table) => string.Join("\n", table.Split('\n').SkipWhile(l => !l.Contains("coef")).Select(l => l.TrimEnd()));
        Assert.Equal(Coefficients(memory), Coefficients(pushed));
        Assert.Contains("n = 288 (12 rows dropped: missing values)", pushed);
    }

    [Fact]
    public void A_query_names_the_rows_and_the_sql_is_shown()
    {
        var relation = SqlSource.File(Houses).Relation();
        var (rc, o, e) = Nabla.Tests.Cli.CliRunner.Run("regress", "--sql", $"SELECT * FROM {relation} WHERE age < 60", "price ~ sqft + C(city)", "--show-sql");
        Assert.True(rc == 0, e);
        Assert.Contains("OLS regression: price ~ sqft + C(city)", o);
        Assert.Contains("SELECT COUNT(*), SUM(1.0)", e);
    }

    [Theory]
    [InlineData("--engine", "postgres", "--engine takes duckdb")]
    [InlineData("--cov", "HC1", "need the rows in memory")]
    public void Options_the_engine_does_not_take_are_refused(string option, string value, string message)
    {
        var args = new List<string> { "regress", Houses, "price ~ sqft", option, value };
        if (option != "--engine") args.AddRange(["--engine", "duckdb"]);
        var (rc, _, e) = Nabla.Tests.Cli.CliRunner.Run([.. args]);
        Assert.Equal(2, rc);
        Assert.Contains(message, e);
    }
}

/// <summary>Logistic and Poisson GLMs pushed down to DuckDB against the in-memory glm of the same formula: to 1e-7.</summary>
public sealed class SqlGlmTests
{
    private static string Events => Path.Combine(TestPaths.RepoRoot, "tests", "Nabla.Tests", "Data", "fixtures", "events.csv");

    [Theory]
    [InlineData("bought ~ x1 + x2 + grp", Family.Binomial)]
    [InlineData("visits ~ x1 + C(grp) + x1:x2", Family.Poisson)]
    public void The_pushed_down_glm_equals_the_in_memory_glm(string formulaText, Family family)
    {
        var formula = Formula.Parse(formulaText);
        var (memory, _) = FormulaModels.FitGlm(FrameReader.Read(Events), formula, new GlmOptions { Family = family });
        var pushed = SqlGlm.Fit(SqlSource.File(Events), formula, family).Fit;
        Assert.True(pushed.Converged);
        Assert.Equal(memory.N, pushed.N);
        var byName = pushed.Coefficients.ToDictionary(r => r.Name);
        static void Near(double a, double b, string label) =>
            Assert.True(Math.Abs(a - b) <= 1e-7 * Math.Max(1, Math.Abs(a)), $"{label}: in memory {a:R}, pushed down {b:R}");
        foreach (var r in memory.Coefficients)
        {
            var name = r.Name == "(intercept)" ? "Intercept" : r.Name;
            Near(r.Estimate, byName[name].Estimate, $"{name} estimate");
            Near(r.StdError, byName[name].StdError, $"{name} standard error");
        }
        Near(memory.LogLikelihood, pushed.LogLikelihood, "log-likelihood");
        Near(memory.NullLogLikelihood, pushed.NullLogLikelihood, "null log-likelihood");
        Near(memory.Deviance, pushed.Deviance, "deviance");
        Near(memory.Aic, pushed.Aic, "AIC");
    }

    [Theory]
    [InlineData("bought ~ x1 + x2 + grp", Family.Binomial, false)]
    [InlineData("bought ~ x1 + x2 + grp", Family.Binomial, true)]
    [InlineData("visits ~ x1 + C(grp)", Family.Poisson, false)]
    [InlineData("visits ~ x1 + C(grp)", Family.Poisson, true)]
    public void A_weighted_glm_pushed_down_equals_the_in_memory_one(string formulaText, Family family, bool frequency)
    {
        string path = Path.Combine(TestPaths.RepoRoot, "tests", "Nabla.Tests", "Data", "fixtures", "events_w.csv");
        var formula = Formula.Parse(formulaText);
        var (memory, _) = FormulaModels.FitGlm(FrameReader.Read(path), formula, new GlmOptions { Family = family, FrequencyWeights = frequency }, new DesignOptions { Weights = "w" });
        var pushed = SqlGlm.Fit(SqlSource.File(path), formula, family, weights: "w", frequency: frequency).Fit;
        var byName = pushed.Coefficients.ToDictionary(r => r.Name);
        foreach (var r in memory.Coefficients)
        {
            var name = r.Name == "(intercept)" ? "Intercept" : r.Name;
            Assert.True(Math.Abs(r.Estimate - byName[name].Estimate) <= 1e-7 * Math.Max(1, Math.Abs(r.Estimate)), $"{name}: {r.Estimate:R} vs {byName[name].Estimate:R}");
            Assert.True(Math.Abs(r.StdError - byName[name].StdError) <= 1e-7 * Math.Max(1, r.StdError), $"{name} standard error");
        }
        foreach (var (a, b, what) in new[] { (memory.LogLikelihood, pushed.LogLikelihood, "ll"), (memory.NullLogLikelihood, pushed.NullLogLikelihood, "ll0"), (memory.Deviance, pushed.Deviance, "deviance"), (memory.NullDeviance, pushed.NullDeviance, "null deviance"), (memory.DfResid, pushed.DfResid, "df") })
            Assert.True(Math.Abs(a - b) <= 1e-7 * Math.Max(1, Math.Abs(a)), $"{what}: {a:R} vs {b:R}");
    }

    [Fact]
    public void Glm_with_the_duckdb_engine_prints_the_in_memory_table()
    {
        var (rc, pushed, err) = Nabla.Tests.Cli.CliRunner.Run("glm", Events, "bought ~ x1 + x2 + grp", "--family", "binomial", "--engine", "duckdb");
        Assert.True(rc == 0, err);
        var (rc2, memory, _) = Nabla.Tests.Cli.CliRunner.Run("glm", Events, "bought ~ x1 + x2 + grp", "--family", "binomial");
        Assert.Equal(0, rc2);
        Assert.Equal(memory.Replace("\r", ""), pushed.Replace("\r", ""));
    }

    [Fact]
    public void A_response_outside_the_family_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => SqlGlm.Fit(SqlSource.File(Events), Formula.Parse("visits ~ x1"), Family.Binomial));
        Assert.Contains("0/1 response", e.Message);
    }
}
