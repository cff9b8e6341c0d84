using System.Data.Common;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Nabla.Data;
using Nabla.Models;
using Nabla.Models.Formulas;

namespace Nabla.Sql;

/// <summary>
/// Where the rows are: files DuckDB reads (Parquet, CSV, JSON; globs such as data/*.parquet), or a query. A CSV's
/// missing values are the in-memory reader's: an empty field and the tokens NA, NaN, null (<see cref="FrameOptions.DefaultMissing"/>).
/// </summary>
public sealed record SqlSource(string? Path, string? Query)
{
    /// <summary>The tokens a CSV field is missing by.</summary>
    public IReadOnlyList<string> MissingTokens { get; init; } = FrameOptions.DefaultMissing;

    /// <summary>Rows from a file DuckDB reads (by its extension: Parquet, JSON, else CSV; a glob reads many).</summary>
    public static SqlSource File(string path) => new(path, null);

    /// <summary>Rows from a query, run by the engine as written.</summary>
    public static SqlSource Select(string query) => new(null, query);

    /// <summary>The relation in SQL: read_parquet('…'), read_csv_auto('…'), read_json_auto('…'), or the query in brackets.</summary>
    public string Relation()
    {
        if (Query is not null) return $"({Query.Trim().TrimEnd(';')})";
        string p = Path!;
        string lower = p.ToLowerInvariant();
        if (lower.EndsWith(".parquet") || lower.EndsWith(".parq")) return $"read_parquet({SqlText.Literal(p)})";
        if (lower.EndsWith(".json") || lower.EndsWith(".jsonl") || lower.EndsWith(".ndjson")) return $"read_json_auto({SqlText.Literal(p)})";
        var nulls = string.Join(", ", MissingTokens.Prepend("").Distinct().Select(SqlText.Literal));
        return $"read_csv({SqlText.Literal(p)}, nullstr = [{nulls}])";
    }
}

/// <summary>What differs between the engines the same SQL runs on: the name of the double type, how a name is quoted.</summary>
public sealed record SqlDialect(string Name, string Double, char Quote = '"')
{
    /// <summary>DuckDB (embedded).</summary>
    public static readonly SqlDialect DuckDb = new("duckdb", "DOUBLE");

    /// <summary>PostgreSQL: DOUBLE PRECISION.</summary>
    public static readonly SqlDialect Postgres = new("postgres", "DOUBLE PRECISION");

    /// <summary>Spark SQL: names in backticks.</summary>
    public static readonly SqlDialect Spark = new("spark", "DOUBLE", '`');

    /// <summary>Trino.</summary>
    public static readonly SqlDialect Trino = new("trino", "DOUBLE");

    /// <summary>The dialect of --emit-sql's value.</summary>
    public static SqlDialect Parse(string name) => name.ToLowerInvariant() switch
    {
        "duckdb" => DuckDb,
        "postgres" or "postgresql" => Postgres,
        "spark" => Spark,
        "trino" => Trino,
        _ => throw new ArgumentException($"--emit-sql takes duckdb, postgres, spark or trino, not '{name}'"),
    };

    /// <summary>A name as this dialect quotes it ("name", or `name` in Spark SQL), the quote character doubled inside.</summary>
    public string Identifier(string name) => Quote + name.Replace(Quote.ToString(), new string(Quote, 2)) + Quote;

    /// <summary>
    /// A double as SQL: CAST('…' AS DOUBLE) from its round-trip digits, because an engine reads a plain literal such as
    /// 121.11079119237084 as a DECIMAL (DuckDB: DECIMAL(18,16), out of range in a sum), never as the double it is.
    /// </summary>
    public string Number(double v) => double.IsFinite(v)
        ? $"CAST('{v.ToString("R", CultureInfo.InvariantCulture)}' AS {Double})"
        : throw new ArgumentException($"a non-finite number {v} in SQL");

    /// <summary>A column as a double.</summary>
    public string AsDouble(string sql) => $"CAST({sql} AS {Double})";
}

/// <summary>SQL quoting: every name a user gives is an identifier in double quotes, every value a literal in single quotes.</summary>
public static class SqlText
{
    /// <summary>"name" with embedded quotes doubled: a column called a; DROP TABLE t is read as a name, never run.</summary>
    public static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    /// <summary>'text' with embedded quotes doubled: a string value, never SQL.</summary>
    public static string Literal(string text) => "'" + text.Replace("'", "''") + "'";

}

/// <summary>
/// Least squares pushed down to DuckDB (issue "Data beyond memory"): the formula's design columns become SQL
/// expressions, the engine computes the sufficient statistics in two aggregate passes over the rows (the means, then
/// the centred cross-products Σ (x_i - x̄_i)(x_j - x̄_j), so X'X loses no digits to large offsets), and a third pass
/// the residual sum of squares at the solution; Nabla solves, names dependent columns and gives the standard errors
/// (<see cref="LinearRegression.FromSums(GramSums, RegressionOptions, Func{double[], double})"/>). Rows with a missing
/// value in a column the formula uses are dropped, as the in-memory fit drops them. In this version: numeric columns,
/// text columns and C(x) (treatment coding, the first level in sorted order or the one named the reference),
/// log/exp/sqrt of a column, interactions of numeric factors, an intercept (needed with categorical terms), and weights.
/// </summary>
public static class SqlRegression
{
    /// <summary>What a run did: the fit, the SQL it sent (in order), the rows used.</summary>
    public sealed record Result(RegressionResult Fit, IReadOnlyList<string> Queries, long Rows, long Dropped);

    private sealed record Column(string Name, string Sql);

    /// <summary>The most design columns pushed down: (d+1)(d+2)/2 aggregates in one query.</summary>
    public const int MaxColumns = 500;

    /// <summary>Fits <paramref name="formula"/> on the rows of <paramref name="source"/> in an embedded DuckDB (in memory; files are streamed by the engine).</summary>
    public static Result Fit(SqlSource source, Formula formula, RegressionOptions? options = null, string? weights = null, int partitions = 1)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        return Fit(connection, source, formula, options ?? new RegressionOptions(), weights, partitions);
    }

    /// <summary>The same on an open connection (any ADO.NET engine that speaks this SQL).</summary>
    public static Result Fit(DbConnection connection, SqlSource source, Formula formula, RegressionOptions options, string? weights = null, int partitions = 1,
        SqlDialect? dialect = null)
    {
        dialect ??= SqlDialect.DuckDb;
        if (formula.Response is null) throw new ArgumentException("the formula needs a response: y ~ x1 + x2");
        if (options.Solver is Solver.Qr or Solver.Svd or Solver.Gd)
            throw new ArgumentException("a pushed-down fit has only the sums: use --solver auto or normal");
        if (partitions < 1) throw new ArgumentException("partitions must be at least 1");
        var queries = new List<string>();
        var design = Design(connection, source, formula, weights, queries, dialect);
        var (rel, where, from, columns, exprs, w) = (design.Relation, design.Where, design.From, design.Columns, design.Exprs, design.Weight);
        int d = columns.Count;

        // pass 1: the count, the total weight and the (weighted) means
        var first = new StringBuilder($"SELECT COUNT(*), SUM({w})");
        foreach (var e in exprs) first.Append($", SUM({w}*({e}))");
        first.Append(' ').Append(from);
        var r1 = Row(connection, first.ToString(), queries);
        long n = Convert.ToInt64(r1[0], CultureInfo.InvariantCulture);
        long total = Convert.ToInt64(Row(connection, $"SELECT COUNT(*) FROM {rel} AS src", queries)[0], CultureInfo.InvariantCulture);
        if (n == 0) throw new ArgumentException("no row has every column the formula uses");
        double wsum = ToDouble(r1[1]);
        if (weights is not null)
        {
            var bad = Row(connection, $"SELECT COUNT(*) {from} AND NOT ({w} > 0)", queries);
            if (Convert.ToInt64(bad[0], CultureInfo.InvariantCulture) > 0)
                throw new ArgumentException($"the weights column {weights} has values that are not positive");
        }
        var means = new double[d + 1];
        for (int i = 0; i <= d; i++) means[i] = ToDouble(r1[2 + i]) / wsum;
        var nonFinite = Enumerable.Range(0, d + 1).Where(i => !double.IsFinite(means[i])).Select(i => i < d ? columns[i].Name : formula.Response.Name).ToList();
        if (nonFinite.Count > 0 || !double.IsFinite(wsum))
            throw new ArgumentException($"the sums over the rows are not finite for {string.Join(", ", nonFinite.DefaultIfEmpty(weights ?? "the weights"))}: " +
                "a NaN or infinite value in the data (DuckDB reads a CSV's NaN as a number: list it in read_csv's nullstr, or filter with WHERE isfinite(x)), or a log/sqrt outside its domain");

        // pass 2: the centred cross-products (upper triangle), one aggregate query per partition, summed
        var centred = new double[(d + 1) * (d + 1)];
        var second = new StringBuilder("SELECT ");
        var pairs = new List<(int I, int J)>();
        for (int i = 0; i <= d; i++)
            for (int j = i; j <= d; j++)
            {
                if (pairs.Count > 0) second.Append(", ");
                second.Append($"SUM({w}*(({exprs[i]})-{dialect.Number(means[i])})*(({exprs[j]})-{dialect.Number(means[j])}))");
                pairs.Add((i, j));
            }
        second.Append(' ').Append(from);
        for (int part = 0; part < partitions; part++)
        {
            var r2 = Row(connection, partitions == 1 ? second.ToString() : PartitionQuery(second.ToString(), rel, where, partitions, part), queries);
            for (int k = 0; k < pairs.Count; k++)
            {
                double v = r2[k] is null or DBNull ? 0 : ToDouble(r2[k]);
                centred[pairs[k].I * (d + 1) + pairs[k].J] += v;
            }
        }
        for (int i = 0; i <= d; i++)
            for (int j = 0; j < i; j++) centred[i * (d + 1) + j] = centred[j * (d + 1) + i];
        var sums = new GramSums(n, d, means, centred) { W = weights is null ? n : wsum };

        var o = options with
        {
            FeatureNames = columns.Select(c => c.Name).ToList(),
            TargetName = formula.Response.Name,
            InterceptName = formula.Written ? "Intercept" : options.InterceptName,
            Intercept = formula.Intercept,
        };
        // pass 3: the residual sum of squares at the solution, over the rows
        double Rss(double[] beta)
        {
            int off = formula.Intercept ? 1 : 0;
            var fitted = new StringBuilder(off == 1 ? dialect.Number(beta[0]) : "0.0");
            for (int j = 0; j < d; j++) fitted.Append($" + {dialect.Number(beta[off + j])}*({exprs[j]})");
            var r = Row(connection, $"SELECT SUM({w}*POWER(({exprs[d]}) - ({fitted}), 2)) {from}", queries);
            return ToDouble(r[0]);
        }
        var fit = LinearRegression.FromSums(sums, o, Rss);
        fit = fit with { Dropped = (int)Math.Min(int.MaxValue, total - n), Formula = formula.Text, WeightsColumn = weights, Warnings = [.. fit.Warnings, .. design.Warnings] };
        return new Result(fit, queries, n, total - n);
    }

    /// <summary>The design in SQL: the relation, the rows used, each column's name and expression (the response's last), the weight.</summary>
    internal sealed record DesignColumn(string Name, string Sql);

    internal sealed record SqlDesign(string Relation, string Where, string From, IReadOnlyList<DesignColumn> Columns, IReadOnlyList<string> Exprs, string Weight)
    {
        /// <summary>What the engine's types cost in precision (a single-precision column), for the fit's warnings.</summary>
        public IReadOnlyList<string> Warnings { get; init; } = [];
    }

    /// <summary>Reads the column types, checks the formula against them, and writes its design columns as SQL (levels by a query each).</summary>
    internal static SqlDesign Design(DbConnection connection, SqlSource source, Formula formula, string? weights, List<string> queries, SqlDialect dialect)
    {
        if (formula.Response is null) throw new ArgumentException("the formula needs a response: y ~ x1 + x2");
        string rel = source.Relation();
        var types = ColumnTypes(connection, rel, queries);
        string Type(string column) => types.TryGetValue(column, out var t) ? t
            : throw new ArgumentException($"no column '{column}' in the data; its columns are: {string.Join(", ", types.Keys)}");

        // every column the formula reads, and the rows where all of them (and the weights) are present
        var used = new List<string>();
        void Use(string c) { Type(c); if (!used.Contains(c)) used.Add(c); }
        string response = formula.Response.Column ?? throw Unsupported(formula.Response.Name);
        Use(response);
        foreach (var t in formula.Terms) foreach (var f in t.Factors) Use(f.Column ?? throw Unsupported(f.Name));
        if (weights is not null) Use(weights);
        if (IsText(Type(response))) throw new ArgumentException($"the response {response} holds text; a least-squares response must be numeric");
        if (formula.Response.Kind is not (FactorKind.Column or FactorKind.Transform)) throw Unsupported(formula.Response.Name);
        string responseSql = Numeric(formula.Response, dialect);
        string where = string.Join(" AND ", used.Select(c => $"{dialect.Identifier(c)} IS NOT NULL"));
        string from = $"FROM {rel} AS src WHERE {where}";

        // the design columns in patsy's order: the terms grouped by their numeric factors (in order of appearance, the group
        // without any first), each group stably by degree, as the in-memory design orders them
        bool IsCategorical(FormulaFactor f) => f.Kind == FactorKind.Categorical || f.Kind == FactorKind.Column && IsText(Type(f.Column!));
        var buckets = new List<(HashSet<string> Numeric, List<FormulaTerm> Terms)>();
        foreach (var t in formula.Terms.Distinct())
        {
            var numeric = t.Factors.Where(f => !IsCategorical(f)).Select(f => f.Name).ToHashSet();
            int b = buckets.FindIndex(x => x.Numeric.SetEquals(numeric));
            if (b < 0) buckets.Add((numeric, [t])); else buckets[b].Terms.Add(t);
        }
        int none = buckets.FindIndex(b => b.Numeric.Count == 0);
        if (none > 0) { var b = buckets[none]; buckets.RemoveAt(none); buckets.Insert(0, b); }
        var columns = new List<Column>();
        foreach (var term in buckets.SelectMany(b => b.Terms.OrderBy(t => t.Factors.Count)))
        {
            // patsy codes a categorical factor inside an interaction by what the lower-order terms already span (in full or
            // reduced); the push-down has the reduced coding of main effects only, so such a term stays in memory
            if (term.Factors.Count > 1 && term.Factors.Any(IsCategorical))
                throw new ArgumentException($"{term}: an interaction with a categorical factor is not pushed down in this version; fit it in memory (leave out --engine)");
            var parts = new List<List<Column>>();
            foreach (var f in term.Factors) parts.Add(FactorColumns(connection, f, Type(f.Column!), from, queries, formula.Intercept, dialect));
            IEnumerable<Column> product = [new Column("", "")];
            foreach (var p in parts)
                product = product.SelectMany(a => p.Select(b => a.Name.Length == 0 ? b : new Column($"{a.Name}:{b.Name}", $"({a.Sql})*({b.Sql})")));
            columns.AddRange(product);
        }
        if (columns.Count > MaxColumns)
            throw new ArgumentException($"the design has {columns.Count} columns, more than the {MaxColumns} pushed down at once (their cross-products are one aggregate each)");
        var exprs = columns.Select(c => c.Sql).Append(responseSql).ToList();
        string w = weights is null ? "1.0" : dialect.AsDouble(dialect.Identifier(weights));
        // a column stored in single precision carries ~7 digits into every sum (the cast to double adds none back)
        var single = used.Where(c => Type(c).ToUpperInvariant() is "FLOAT" or "REAL" or "FLOAT4" or "FLOAT32").ToList();
        var warnings = single.Count == 0 ? [] : new List<string>
        {
            $"{string.Join(", ", single)} {(single.Count == 1 ? "is" : "are")} stored in single precision ({string.Join(", ", single.Select(Type).Distinct())}): its values carry about 7 significant digits into the sums, so the coefficients cannot be more precise than that data",
        };
        return new SqlDesign(rel, where, from, columns.Select(c => new DesignColumn(c.Name, c.Sql)).ToList(), exprs, w) { Warnings = warnings };

    }

    /// <summary>Partition k of K: the rows whose position hashes to k (DuckDB numbers a relation's rows with row_number()).</summary>
    private static string PartitionQuery(string select, string rel, string where, int partitions, int part)
    {
        // the same aggregates over a numbered copy of the relation, restricted to one class of row numbers
        int at = select.IndexOf(" FROM ", StringComparison.Ordinal);
        return $"{select[..at]} FROM (SELECT *, row_number() OVER () AS nabla_row FROM {rel} AS rows_in) AS src WHERE {where} AND nabla_row % {partitions} = {part}";
    }

    private static bool IsText(string type) => type.StartsWith("VARCHAR", StringComparison.OrdinalIgnoreCase) || type.Equals("BOOLEAN", StringComparison.OrdinalIgnoreCase);

    private static ArgumentException Unsupported(string what) =>
        new($"{what}: this kind of formula term is not pushed down to SQL in this version (numeric and text columns, C(x), log/exp/sqrt of a column and their interactions are); fit it in memory (leave out --engine)");

    private static List<Column> FactorColumns(DbConnection connection, FormulaFactor f, string type, string from, List<string> queries, bool intercept, SqlDialect dialect)
    {
        string col = dialect.Identifier(f.Column!);
        bool categorical = f.Kind == FactorKind.Categorical || f.Kind == FactorKind.Column && IsText(type);
        if (categorical)
        {
            if (!intercept)
                throw new ArgumentException($"{f.Name}: a categorical term without an intercept (full coding) is not pushed down in this version; fit it in memory");
            if (type.Equals("BOOLEAN", StringComparison.OrdinalIgnoreCase))
            {
                // as the in-memory reader names them: False, True (False the reference unless another is named)
                if (f.Reference is not null and not ("True" or "False"))
                    throw new ArgumentException($"the reference level '{f.Reference}' is not a level of {f.Column}; its levels are: False, True");
                bool trueIsReference = f.Reference == "True";
                return [new Column($"{f.Name}[T.{(trueIsReference ? "False" : "True")}]", $"CASE WHEN {(trueIsReference ? "NOT " : "")}{col} THEN 1.0 ELSE 0.0 END")];
            }
            bool numeric = !IsText(type);
            var levels = new List<string>();
            string order = numeric ? col : $"CAST({col} AS VARCHAR)";
            using (var cmd = connection.CreateCommand())
            {
                cmd.CommandText = $"SELECT DISTINCT {order} AS v {from} ORDER BY v";
                queries.Add(cmd.CommandText);
                using var reader = cmd.ExecuteReader();
                while (reader.Read())
                {
                    var v = reader.GetValue(0);
                    levels.Add(v switch
                    {
                        double x => x.ToString(CultureInfo.InvariantCulture),
                        float x => ((double)x).ToString(CultureInfo.InvariantCulture),
                        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
                        bool b => b ? "True" : "False",
                        _ => v.ToString() ?? "",
                    });
                    if (levels.Count > 10_000) throw new ArgumentException($"{f.Name} has more than 10,000 levels");
                }
            }
            if (!numeric) levels.Sort(string.CompareOrdinal);
            if (f.Reference is { } reference)
            {
                int at = levels.IndexOf(reference);
                if (at < 0) throw new ArgumentException($"the reference level '{reference}' is not a level of {f.Column} in the rows used; its levels are: {string.Join(", ", levels)}");
                levels.RemoveAt(at);
                levels.Insert(0, reference);
            }
            string text = numeric ? dialect.AsDouble(col) : $"CAST({col} AS VARCHAR)";
            return levels.Skip(1).Select(l => new Column($"{f.Name}[T.{l}]",
                $"CASE WHEN {text} = {(numeric ? dialect.Number(double.Parse(l, CultureInfo.InvariantCulture)) : SqlText.Literal(l))} THEN 1.0 ELSE 0.0 END")).ToList();
        }
        return [new Column(f.Name, Numeric(f, dialect))];
    }

    /// <summary>A numeric column, or log/exp/sqrt of one, as a SQL expression of type DOUBLE.</summary>
    internal static string Numeric(FormulaFactor f, SqlDialect dialect)
    {
        string value = dialect.AsDouble(dialect.Identifier(f.Column!));
        return f.Kind switch
        {
            FactorKind.Column => value,
            FactorKind.Transform when f.Function is "log" => $"LN({value})",
            FactorKind.Transform when f.Function is "exp" => $"EXP({value})",
            FactorKind.Transform when f.Function is "sqrt" => $"SQRT({value})",
            _ => throw Unsupported(f.Name),
        };
    }

    /// <summary>
    /// Each column's kind from the engine's own description of the relation (no rows read): VARCHAR for text,
    /// BOOLEAN, or the numeric type's name.
    /// </summary>
    private static Dictionary<string, string> ColumnTypes(DbConnection connection, string rel, List<string> queries)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT * FROM {rel} AS src LIMIT 0";
        queries.Add(cmd.CommandText);
        using var reader = cmd.ExecuteReader();
        for (int i = 0; i < reader.FieldCount; i++)
        {
            var t = reader.GetFieldType(i);
            types[reader.GetName(i)] = t == typeof(string) || t == typeof(char) ? "VARCHAR" : t == typeof(bool) ? "BOOLEAN" : reader.GetDataTypeName(i);
        }
        return types;
    }

    private static object?[] Row(DbConnection connection, string sql, List<string> queries)
    {
        queries.Add(sql);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        using var reader = cmd.ExecuteReader();
        if (!reader.Read()) throw new InvalidOperationException("an aggregate query returned no row");
        var row = new object?[reader.FieldCount];
        for (int i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        return row;
    }

    private static double ToDouble(object? v) => v switch
    {
        null => 0,
        double x => x,
        decimal m => (double)m,
        System.Numerics.BigInteger b => (double)b,
        _ => Convert.ToDouble(v, CultureInfo.InvariantCulture),
    };
}
