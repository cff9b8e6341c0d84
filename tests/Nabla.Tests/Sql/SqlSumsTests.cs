using System.Data.Common;
using DuckDB.NET.Data;
using Nabla.Data;
using Nabla.Models;
using Nabla.Models.Formulas;
using Nabla.Sql;

namespace Nabla.Tests.Sql;

/// <summary>
/// The one statement of the sums (--emit-sql) run by an engine, its row read back (--from-sums): the fit equals the
/// in-memory fit; the statement's text per dialect (snapshots: Spark's backticks, PostgreSQL's DOUBLE PRECISION);
/// the sums of two parts combine into those of the whole; a categorical factor is refused with the way round it.
/// </summary>
public sealed class SqlSumsTests
{
    private static string Houses => Path.Combine(TestPaths.RepoRoot, "tests", "Nabla.Tests", "Data", "fixtures", "houses.csv");

    private static Dictionary<string, double> RunRow(DbConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        Assert.True(r.Read());
        var row = new Dictionary<string, double>();
        for (int i = 0; i < r.FieldCount; i++) row[r.GetName(i)] = Convert.ToDouble(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(r.Read());
        return row;
    }

    [Fact]
    public void The_emitted_statement_run_by_duckdb_gives_the_in_memory_fit()
    {
        var formula = Formula.Parse("price ~ sqft + beds + log(sqft) + sqft:age");
        var sql = SqlSums.Query(SqlSource.File(Houses).Relation(), formula, SqlDialect.DuckDb);
        using var c = new DuckDBConnection("DataSource=:memory:");
        c.Open();
        var fit = SqlSums.Fit(RunRow(c, sql), formula);
        var (memory, _) = FormulaModels.Regress(FrameReader.Read(Houses), formula);
        Assert.Equal(memory.N, fit.N);
        var byName = fit.Table.ToDictionary(t => t.Name);
        Assert.Equal(memory.Table.Select(t => t.Name), fit.Table.Select(t => t.Name));
        foreach (var t in memory.Table)
        {
            Assert.True(Math.Abs(t.Estimate - byName[t.Name].Estimate) <= 1e-8 * Math.Max(1, Math.Abs(t.Estimate)), $"{t.Name}: {t.Estimate:R} vs {byName[t.Name].Estimate:R}");
            Assert.True(Math.Abs(t.StdError - byName[t.Name].StdError) <= 1e-7 * Math.Max(1, t.StdError), $"{t.Name} standard error");
        }
    }

    [Fact]
    public void The_sums_of_two_parts_combine_into_the_whole()
    {
        var formula = Formula.Parse("price ~ sqft + beds");
        string rel = SqlSource.File(Houses).Relation();
        using var c = new DuckDBConnection("DataSource=:memory:");
        c.Open();
        GramSums Part(string where) => SqlSums.Read(RunRow(c, SqlSums.Query($"(SELECT * FROM {rel} WHERE {where})", formula, SqlDialect.DuckDb)), formula);
        var whole = Part("TRUE");
        var both = SqlSums.Combine(Part("age < 50"), Part("NOT (age < 50) OR age IS NULL"));
        Assert.Equal(whole.N, both.N);
        for (int i = 0; i < whole.Means.Length; i++) Assert.Equal(whole.Means[i], both.Means[i], 10);
        for (int i = 0; i < whole.Centred.Length; i++)
            Assert.True(Math.Abs(whole.Centred[i] - both.Centred[i]) <= 1e-9 * Math.Max(1, Math.Abs(whole.Centred[i])), $"entry {i}");
    }

    [Fact]
    public void Each_dialect_writes_its_own_statement()
    {
        var formula = Formula.Parse("y ~ x + log(z)");
        Assert.Equal("""
            WITH nabla_src AS (SELECT * FROM events AS nabla_in WHERE `y` IS NOT NULL AND `x` IS NOT NULL AND `z` IS NOT NULL),
            nabla_m AS (SELECT COUNT(*) AS nabla_n, SUM(1.0) AS nabla_sw, SUM(1.0*((CAST(`x` AS DOUBLE))))/SUM(1.0) AS nabla_m_0, SUM(1.0*((LN(CAST(`z` AS DOUBLE)))))/SUM(1.0) AS nabla_m_1, SUM(1.0*(CAST(`y` AS DOUBLE)))/SUM(1.0) AS nabla_m_2 FROM nabla_src)
            SELECT MIN(nabla_m.nabla_n) AS n, MIN(nabla_m.nabla_sw) AS sw, MIN(nabla_m.nabla_m_0) AS m_0, MIN(nabla_m.nabla_m_1) AS m_1, MIN(nabla_m.nabla_m_2) AS m_2,
              SUM(1.0*(((CAST(`x` AS DOUBLE))) - nabla_m.nabla_m_0)*(((CAST(`x` AS DOUBLE))) - nabla_m.nabla_m_0)) AS c_0_0,
              SUM(1.0*(((CAST(`x` AS DOUBLE))) - nabla_m.nabla_m_0)*(((LN(CAST(`z` AS DOUBLE)))) - nabla_m.nabla_m_1)) AS c_0_1,
              SUM(1.0*(((CAST(`x` AS DOUBLE))) - nabla_m.nabla_m_0)*((CAST(`y` AS DOUBLE)) - nabla_m.nabla_m_2)) AS c_0_2,
              SUM(1.0*(((LN(CAST(`z` AS DOUBLE)))) - nabla_m.nabla_m_1)*(((LN(CAST(`z` AS DOUBLE)))) - nabla_m.nabla_m_1)) AS c_1_1,
              SUM(1.0*(((LN(CAST(`z` AS DOUBLE)))) - nabla_m.nabla_m_1)*((CAST(`y` AS DOUBLE)) - nabla_m.nabla_m_2)) AS c_1_2,
              SUM(1.0*((CAST(`y` AS DOUBLE)) - nabla_m.nabla_m_2)*((CAST(`y` AS DOUBLE)) - nabla_m.nabla_m_2)) AS c_2_2
            FROM nabla_src CROSS JOIN nabla_m
            """.ReplaceLineEndings("\n"), SqlSums.Query("events", formula, SqlDialect.Spark));
        var pg = SqlSums.Query("sales.events", formula, SqlDialect.Postgres);
        Assert.Contains("CAST(\"x\" AS DOUBLE PRECISION)", pg);
        Assert.Contains("LN(CAST(\"z\" AS DOUBLE PRECISION))", pg);
        var trino = SqlSums.Query("hive.web.events", Formula.Parse("y ~ Q('odd`name')"), SqlDialect.Trino);
        Assert.Contains("\"odd`name\"", trino);
        Assert.Contains("`odd``name`", SqlSums.Query("t", Formula.Parse("y ~ Q('odd`name')"), SqlDialect.Spark));
    }

    [Fact]
    public void The_row_reads_from_json_or_csv_and_must_match_the_formula()
    {
        var dir = Directory.CreateTempSubdirectory("nabla-sums");
        try
        {
            var formula = Formula.Parse("price ~ sqft");
            using var c = new DuckDBConnection("DataSource=:memory:");
            c.Open();
            var row = RunRow(c, SqlSums.Query(SqlSource.File(Houses).Relation(), formula, SqlDialect.DuckDb));
            var json = Path.Combine(dir.FullName, "sums.json");
            File.WriteAllText(json, "[" + System.Text.Json.JsonSerializer.Serialize(row) + "]");
            var csv = Path.Combine(dir.FullName, "sums.csv");
            File.WriteAllLines(csv, [string.Join(",", row.Keys), string.Join(",", row.Values.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))]);
            var a = SqlSums.Fit(SqlSums.Load(json), formula);
            var b = SqlSums.Fit(SqlSums.Load(csv), formula);
            Assert.Equal(a.Coefficients, b.Coefficients);
            var e = Assert.Throws<ArgumentException>(() => SqlSums.Fit(SqlSums.Load(json), Formula.Parse("price ~ sqft + beds")));
            Assert.Contains("no 'm_2'", e.Message);
            var cli = Nabla.Tests.Cli.CliRunner.Run("regress", "--from-sums", csv, "price ~ sqft");
            Assert.True(cli.Rc == 0, cli.Err);
            Assert.Contains("OLS regression: price ~ sqft", cli.Out);
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void A_categorical_factor_is_refused_with_the_way_round_it()
    {
        var e = Assert.Throws<ArgumentException>(() => SqlSums.Query("t", Formula.Parse("y ~ x + C(g)"), SqlDialect.Trino));
        Assert.Contains("CASE WHEN", e.Message);
        var (rc, o, err) = Nabla.Tests.Cli.CliRunner.Run("regress", "events", "y ~ x", "--emit-sql", "spark");
        Assert.True(rc == 0, err);
        Assert.StartsWith("WITH nabla_src AS (SELECT * FROM events AS nabla_in", o);
    }
}

/// <summary>The refusals of the SQL routes: each says what is wrong, exits non-zero, and never shows a password.</summary>
public sealed class SqlRefusalTests
{
    private static string Houses => Path.Combine(TestPaths.RepoRoot, "tests", "Nabla.Tests", "Data", "fixtures", "houses.csv");

    [Fact]
    public void An_unreachable_server_is_named_without_its_password()
    {
        int port;
        using (var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0)) { l.Start(); port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port; }
        var (rc, _, e) = Nabla.Tests.Cli.CliRunner.Run("regress", "--sql", "SELECT 1 AS y, 2 AS x", "y ~ x", "--engine", $"postgres://ann:secret@127.0.0.1:{port}/db");
        Assert.Equal(1, rc);
        Assert.Contains($"cannot connect to PostgreSQL at postgres://ann:***@127.0.0.1:{port}/db", e);
        Assert.DoesNotContain("secret", e);
    }

    [Theory]
    [InlineData(new[] { "regress", "t", "y ~ x", "--emit-sql", "oracle" }, 1, "--emit-sql takes duckdb, postgres, spark or trino, not 'oracle'")]
    [InlineData(new[] { "regress", "t", "y ~ x", "--emit-sql", "spark", "--from-sums", "s.json" }, 2, "give one")]
    [InlineData(new[] { "regress", "--emit-sql", "spark", "y ~ x" }, 1, "give the table the statement reads")]
    [InlineData(new[] { "regress", "--from-sums", "nothere.json", "y ~ x" }, 1, "nothere.json")]
    public void The_sums_routes_refuse_what_they_cannot_do(string[] args, int code, string message)
    {
        var (rc, _, e) = Nabla.Tests.Cli.CliRunner.Run(args);
        Assert.Equal(code, rc);
        Assert.Contains(message, e);
    }

    [Theory]
    [InlineData("n,m_0,m_1\n1,2\n", "2 values")]
    [InlineData("n,m_0\n1,abc\n", "'m_0' is not a number")]
    [InlineData("n\n1\n2\n", "a header and one row, not 3 lines")]
    [InlineData("[{\"n\": 1}, {\"n\": 2}]", "one row of sums, not 2")]
    [InlineData("{\"n\": \"many\"}", "'n' is not a number")]
    public void A_malformed_row_of_sums_is_refused_with_the_place(string content, string message)
    {
        var dir = Directory.CreateTempSubdirectory("nabla-sums");
        try
        {
            var path = Path.Combine(dir.FullName, content.StartsWith('[') || content.StartsWith('{') ? "sums.json" : "sums.csv");
            File.WriteAllText(path, content);
            var e = Assert.Throws<ArgumentException>(() => SqlSums.Load(path));
            Assert.Contains(message, e.Message);
            Assert.StartsWith(path, e.Message);
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void A_glm_engine_refuses_robust_errors_and_a_missing_file()
    {
        var (rc, _, e) = Nabla.Tests.Cli.CliRunner.Run("glm", Houses, "garden ~ sqft", "--family", "binomial", "--engine", "duckdb", "--cov", "HC1");
        Assert.Equal(2, rc);
        Assert.Contains("--cov and --predict need the rows in memory", e);
        var (rc2, _, e2) = Nabla.Tests.Cli.CliRunner.Run("glm", "nothere.parquet", "y ~ x", "--family", "binomial", "--engine", "duckdb");
        Assert.Equal(1, rc2);
        Assert.Contains("DuckDB: IO Error", e2);
    }
}
