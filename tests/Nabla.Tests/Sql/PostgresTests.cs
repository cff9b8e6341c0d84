using Nabla.Data;
using Nabla.Models;
using Nabla.Models.Formulas;
using Nabla.Sql;
using Npgsql;

namespace Nabla.Tests.Sql;

/// <summary>
/// The same pushed-down SQL on a PostgreSQL server (./test starts one from Debian's postgresql on 127.0.0.1 and names it
/// in NABLA_POSTGRES): least squares to 1e-9 and the GLMs to 1e-7 of the in-memory fits, partitions summed, and the
/// command line's postgres:// engine. The fixtures are copied into a schema of this run's own, dropped after.
/// </summary>
public sealed class PostgresTests : IDisposable
{
    private static string Fixture(string name) => Path.Combine(TestPaths.RepoRoot, "tests", "Nabla.Tests", "Data", "fixtures", name);

    private readonly NpgsqlConnection _connection;
    private readonly string _schema = $"nabla_test_{Environment.ProcessId}_{Guid.NewGuid():N}"[..40];

    public PostgresTests()
    {
        string cs = Environment.GetEnvironmentVariable("NABLA_POSTGRES") is { Length: > 0 } s ? s
            : throw new InvalidOperationException("NABLA_POSTGRES is not set: ./test starts a PostgreSQL server (Debian's postgresql) on 127.0.0.1 and sets it; run the tests through ./test, or set it to a server's Npgsql connection string");
        _connection = new NpgsqlConnection(cs);
        _connection.Open();
        Execute($"CREATE SCHEMA {_schema}");
        Load("houses", "price double precision, sqft double precision, beds integer, city text, garden boolean, firm integer, w double precision, age double precision");
        Load("events", "bought integer, visits integer, x1 double precision, x2 double precision, grp text, firm integer");
    }

    public void Dispose()
    {
        Execute($"DROP SCHEMA {_schema} CASCADE");
        _connection.Dispose();
    }

    private void Execute(string sql)
    {
        using var cmd = new NpgsqlCommand(sql, _connection);
        cmd.ExecuteNonQuery();
    }

    /// <summary>COPY the fixture in, its missing-value tokens (NA, NaN, null) as empty fields, which CSV COPY reads as NULL.</summary>
    private void Load(string table, string columns)
    {
        Execute($"CREATE TABLE {_schema}.{table} ({columns})");
        using var writer = _connection.BeginTextImport($"COPY {_schema}.{table} FROM STDIN (FORMAT csv, HEADER true)");
        foreach (var line in File.ReadLines(Fixture(table + ".csv")))
            writer.WriteLine(string.Join(",", line.Split(',').Select(f => f is "NA" or "NaN" or "null" ? "" : f)));
    }

    private SqlSource Table(string table) => SqlSource.Select($"SELECT * FROM {_schema}.{table}");

    [Theory]
    [InlineData("price ~ sqft + beds + city + garden", null)]
    [InlineData("price ~ sqft + C(beds) + city + log(sqft) + sqft:age", null)]
    [InlineData("price ~ sqft + beds + C(city, Treatment(reference='Toulouse'))", "w")]
    public void Least_squares_on_postgres_equals_the_in_memory_fit(string formulaText, string? weights)
    {
        var formula = Formula.Parse(formulaText);
        var (memory, _) = FormulaModels.Regress(FrameReader.Read(Fixture("houses.csv")), formula, new RegressionOptions(), new DesignOptions { Weights = weights });
        var pushed = SqlRegression.Fit(_connection, Table("houses"), formula, new RegressionOptions(), weights, partitions: 3, dialect: SqlDialect.Postgres);
        Assert.Equal(memory.N, pushed.Fit.N);
        var byName = pushed.Fit.Table.ToDictionary(r => r.Name);
        foreach (var r in memory.Table)
        {
            Assert.True(Math.Abs(r.Estimate - byName[r.Name].Estimate) <= 1e-9 * Math.Max(1, Math.Abs(r.Estimate)), $"{r.Name}: {r.Estimate:R} vs {byName[r.Name].Estimate:R}");
            Assert.True(Math.Abs(r.StdError - byName[r.Name].StdError) <= 1e-9 * Math.Max(1, r.StdError), $"{r.Name} standard error");
        }
        Assert.True(Math.Abs(memory.ResidualSumOfSquares - pushed.Fit.ResidualSumOfSquares) <= 1e-9 * memory.ResidualSumOfSquares);
    }

    [Theory]
    [InlineData("bought ~ x1 + x2 + grp", Family.Binomial)]
    [InlineData("visits ~ x1 + C(grp) + x1:x2", Family.Poisson)]
    public void A_glm_on_postgres_equals_the_in_memory_glm(string formulaText, Family family)
    {
        var formula = Formula.Parse(formulaText);
        var (memory, _) = FormulaModels.FitGlm(FrameReader.Read(Fixture("events.csv")), formula, new GlmOptions { Family = family });
        var pushed = SqlGlm.Fit(_connection, Table("events"), formula, family, dialect: SqlDialect.Postgres).Fit;
        var byName = pushed.Coefficients.ToDictionary(r => r.Name);
        foreach (var r in memory.Coefficients)
        {
            var name = r.Name == "(intercept)" ? "Intercept" : r.Name;
            Assert.True(Math.Abs(r.Estimate - byName[name].Estimate) <= 1e-7 * Math.Max(1, Math.Abs(r.Estimate)), $"{name}: {r.Estimate:R} vs {byName[name].Estimate:R}");
            Assert.True(Math.Abs(r.StdError - byName[name].StdError) <= 1e-7 * Math.Max(1, r.StdError), $"{name} standard error");
        }
        Assert.True(Math.Abs(memory.LogLikelihood - pushed.LogLikelihood) <= 1e-7 * Math.Abs(memory.LogLikelihood));
        Assert.True(Math.Abs(memory.Deviance - pushed.Deviance) <= 1e-7 * Math.Abs(memory.Deviance));
    }

    [Fact]
    public void The_command_line_takes_a_postgres_uri()
    {
        var b = new NpgsqlConnectionStringBuilder(Environment.GetEnvironmentVariable("NABLA_POSTGRES"));
        string uri = $"postgres://{b.Username}@{b.Host}:{b.Port}/{b.Database}";
        var (rc, o, e) = Nabla.Tests.Cli.CliRunner.Run("regress", "--sql", $"SELECT * FROM {_schema}.houses", "price ~ sqft + beds + city + garden", "--engine", uri);
        Assert.True(rc == 0, e);
        var (_, memory, _) = Nabla.Tests.Cli.CliRunner.Run("regress", Fixture("houses.csv"), "price ~ sqft + beds + city + garden");
        static string Coefficients(string table) => string.Join("\n", table.Split('\n').SkipWhile(l => !l.Contains("coef")).Select(l => l.TrimEnd()));
        Assert.Equal(Coefficients(memory), Coefficients(o));
        var (rc2, _, e2) = Nabla.Tests.Cli.CliRunner.Run("regress", Fixture("houses.csv"), "price ~ sqft", "--engine", uri);
        Assert.Equal(2, rc2);
        Assert.Contains("give the rows as --sql", e2);
    }

    [Fact]
    public void The_emitted_postgres_statement_runs_on_the_server_and_its_row_finishes_the_fit()
    {
        var formula = Formula.Parse("price ~ sqft + beds + log(sqft) + sqft:age");
        using var cmd = new NpgsqlCommand(SqlSums.Query($"{_schema}.houses", formula, SqlDialect.Postgres), _connection);
        using var r = cmd.ExecuteReader();
        Assert.True(r.Read());
        var row = Enumerable.Range(0, r.FieldCount).ToDictionary(r.GetName, i => Convert.ToDouble(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture));
        var fit = SqlSums.Fit(row, formula);
        var (memory, _) = FormulaModels.Regress(FrameReader.Read(Fixture("houses.csv")), formula);
        var byName = fit.Table.ToDictionary(t => t.Name);
        foreach (var t in memory.Table)
            Assert.True(Math.Abs(t.Estimate - byName[t.Name].Estimate) <= 1e-8 * Math.Max(1, Math.Abs(t.Estimate)), $"{t.Name}: {t.Estimate:R} vs {byName[t.Name].Estimate:R}");
    }

    [Fact]
    public void A_uri_becomes_a_connection_string_and_a_password_never_shows()
    {
        var cs = new NpgsqlConnectionStringBuilder(SqlEngine.PostgresConnectionString("postgres://ann:s%40cret@db.example:6543/sales"));
        Assert.Equal(("ann", "s@cret", "db.example", 6543, "sales"), (cs.Username, cs.Password, cs.Host, cs.Port, cs.Database));
        Assert.Equal("postgres://ann:***@db.example:6543/sales", SqlEngine.Redacted("postgres://ann:s%40cret@db.example:6543/sales"));
    }
}
