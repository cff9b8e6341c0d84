using System.Globalization;
using System.Text;
using System.Text.Json;
using Nabla.Data;
using Nabla.Models;
using Nabla.Models.Formulas;

namespace Nabla.Sql;

/// <summary>
/// Sufficient statistics computed elsewhere (issue "Data beyond memory"): <see cref="Query"/> writes one SQL statement
/// that a user runs where the data lives (DuckDB, PostgreSQL, Spark SQL, Trino), returning one row — n, the total
/// weight sw, the means m_0 … m_d (the response's last) and the centred cross-products c_i_j (i ≤ j) of the formula's
/// design columns; <see cref="Fit"/> reads that row back (JSON object, or CSV with a header) and finishes the fit. Sums
/// of partitions combine (<see cref="Combine"/>), so a cluster may compute them part by part. In this version the design
/// columns are the numeric ones (columns, log/exp/sqrt of a column, their interactions): the levels of a categorical
/// factor are data the statement cannot see before it runs.
/// </summary>
public static class SqlSums
{
    private sealed record Design(List<string> Names, List<string> Exprs, string Where, string Weight);

    private static Design Build(Formula formula, SqlDialect dialect, string? weights)
    {
        if (formula.Response is null) throw new ArgumentException("the formula needs a response: y ~ x1 + x2");
        if (formula.DotAt >= 0) throw new ArgumentException("'.' (every other column) needs the data's columns: name them");
        var used = new List<string>();
        void Use(FormulaFactor f)
        {
            if (f.Kind == FactorKind.Categorical)
                throw new ArgumentException($"{f.Name}: the levels of a categorical factor are data this statement cannot see; write its indicators as columns of the query (CASE WHEN g = 'b' THEN 1 ELSE 0 END AS g_b), or fit with --engine");
            if (f.Column is null || f.Kind is not (FactorKind.Column or FactorKind.Transform))
                throw new ArgumentException($"{f.Name}: this kind of term is not written as SQL in this version (numeric columns, log/exp/sqrt of a column and their interactions are)");
            if (!used.Contains(f.Column)) used.Add(f.Column);
        }
        Use(formula.Response);
        var names = new List<string>();
        var exprs = new List<string>();
        foreach (var t in formula.Terms.Distinct())
        {
            foreach (var f in t.Factors) Use(f);
            names.Add(t.ToString());
            exprs.Add(string.Join("*", t.Factors.Select(f => $"({SqlRegression.Numeric(f, dialect)})")));
        }
        exprs.Add(SqlRegression.Numeric(formula.Response, dialect));
        if (weights is not null) used.Add(weights);
        string where = string.Join(" AND ", used.Select(c => $"{dialect.Identifier(c)} IS NOT NULL"));
        string w = weights is null ? "1.0" : dialect.AsDouble(dialect.Identifier(weights));
        return new Design(names, exprs, where, w);
    }

    /// <summary>The one statement: the means in a CTE, then the centred cross-products over the rows joined with them.</summary>
    public static string Query(string relation, Formula formula, SqlDialect dialect, string? weights = null)
    {
        var d = Build(formula, dialect, weights);
        int k = d.Exprs.Count;
        var sb = new StringBuilder();
        sb.Append($"WITH nabla_src AS (SELECT * FROM {relation} AS nabla_in WHERE {d.Where}),\n");
        sb.Append($"nabla_m AS (SELECT COUNT(*) AS nabla_n, SUM({d.Weight}) AS nabla_sw");
        for (int i = 0; i < k; i++) sb.Append($", SUM({d.Weight}*({d.Exprs[i]}))/SUM({d.Weight}) AS nabla_m_{i}");
        sb.Append(" FROM nabla_src)\n");
        sb.Append("SELECT MIN(nabla_m.nabla_n) AS n, MIN(nabla_m.nabla_sw) AS sw");
        for (int i = 0; i < k; i++) sb.Append($", MIN(nabla_m.nabla_m_{i}) AS m_{i}");
        for (int i = 0; i < k; i++)
            for (int j = i; j < k; j++)
                sb.Append($",\n  SUM({d.Weight}*(({d.Exprs[i]}) - nabla_m.nabla_m_{i})*(({d.Exprs[j]}) - nabla_m.nabla_m_{j})) AS c_{i}_{j}");
        sb.Append("\nFROM nabla_src CROSS JOIN nabla_m");
        return sb.ToString();
    }

    /// <summary>The sums from the statement's one row (keys n, sw, m_i, c_i_j), checked against the formula's design.</summary>
    public static GramSums Read(IReadOnlyDictionary<string, double> row, Formula formula)
    {
        var d = Build(formula, SqlDialect.DuckDb, null);
        int k = d.Exprs.Count, dim = k - 1;
        double Get(string key) => row.TryGetValue(key, out var v) ? v
            : throw new ArgumentException($"the sums have no '{key}': they must be the row of the statement --emit-sql writes for this formula ({k} means m_0 … m_{k - 1}, and c_i_j for i ≤ j)");
        long n = (long)Get("n");
        double sw = row.TryGetValue("sw", out var s) ? s : n;
        var means = Enumerable.Range(0, k).Select(i => Get($"m_{i}")).ToArray();
        var c = new double[k * k];
        for (int i = 0; i < k; i++)
            for (int j = i; j < k; j++) c[i * k + j] = c[j * k + i] = Get($"c_{i}_{j}");
        if (row.Keys.Any(key => key.StartsWith("m_", StringComparison.Ordinal) && int.TryParse(key[2..], out int m) && m >= k))
            throw new ArgumentException($"the sums have more columns than the formula's {dim} design columns and response: the formula is not the one they were computed for");
        return new GramSums(n, dim, means, c) { W = sw };
    }

    /// <summary>Reads sums.json (one object, or a one-element array, as engines export a row) or sums.csv (a header and one row).</summary>
    public static IReadOnlyDictionary<string, double> Load(string path)
    {
        var text = File.ReadAllText(path);
        var row = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || text.TrimStart().StartsWith('{') || text.TrimStart().StartsWith('['))
        {
            using var doc = JsonDocument.Parse(text);
            var obj = doc.RootElement.ValueKind == JsonValueKind.Array
                ? doc.RootElement.GetArrayLength() == 1 ? doc.RootElement[0] : throw new ArgumentException($"{path}: one row of sums, not {doc.RootElement.GetArrayLength()}")
                : doc.RootElement;
            foreach (var p in obj.EnumerateObject())
                row[p.Name] = p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetDouble()
                    : p.Value.ValueKind == JsonValueKind.String && double.TryParse(p.Value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
                    : throw new ArgumentException($"{path}: '{p.Name}' is not a number");
            return row;
        }
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length != 2) throw new ArgumentException($"{path}: a CSV of sums is a header and one row, not {lines.Length} lines");
        var keys = lines[0].Split(',').Select(k => k.Trim().Trim('"')).ToArray();
        var values = lines[1].Split(',');
        if (keys.Length != values.Length) throw new ArgumentException($"{path}: {keys.Length} names and {values.Length} values");
        for (int i = 0; i < keys.Length; i++)
            row[keys[i]] = double.TryParse(values[i].Trim().Trim('"'), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
                : throw new ArgumentException($"{path}: '{keys[i]}' is not a number: {values[i]}");
        return row;
    }

    /// <summary>The fit from sums computed elsewhere (the residual sum of squares from the sums: no pass over the rows).</summary>
    public static RegressionResult Fit(IReadOnlyDictionary<string, double> row, Formula formula, RegressionOptions? options = null)
    {
        var sums = Read(row, formula);
        var o = (options ?? new RegressionOptions()) with
        {
            FeatureNames = Build(formula, SqlDialect.DuckDb, null).Names,
            TargetName = formula.Response!.Name,
            InterceptName = "Intercept",
            Intercept = formula.Intercept,
            Solver = Solver.Normal,
        };
        return LinearRegression.FromSums(sums, o) with { Formula = formula.Text };
    }

    /// <summary>
    /// The sums of disjoint parts as the sums of the whole: the counts and weights add, the means are weighted averages,
    /// and the centred cross-products add with the parts' mean shifts (Chan, Golub and LeVeque's parallel update).
    /// </summary>
    public static GramSums Combine(GramSums a, GramSums b)
    {
        if (a.D != b.D) throw new ArgumentException($"sums of {a.D} and {b.D} columns do not combine");
        int k = a.D + 1;
        double w = a.W + b.W;
        var means = new double[k];
        var delta = new double[k];
        for (int i = 0; i < k; i++) { delta[i] = b.Means[i] - a.Means[i]; means[i] = a.Means[i] + delta[i] * b.W / w; }
        var c = new double[k * k];
        double f = a.W * b.W / w;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) c[i * k + j] = a.Centred[i * k + j] + b.Centred[i * k + j] + f * delta[i] * delta[j];
        return new GramSums(a.N + b.N, a.D, means, c) { W = w };
    }
}
