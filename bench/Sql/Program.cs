using System.Diagnostics;
using DuckDB.NET.Data;
using Nabla.Data;
using Nabla.Models;
using Nabla.Models.Formulas;
using Nabla.Sql;

// bench/Sql/run.sh: least squares on a Parquet file of ROWS rows × 20 features (and a 5-level text column), by
//   make       writing the file with DuckDB (deterministic: hash-based values, a known linear model plus noise);
//   pushdown   SqlRegression (DuckDB computes the sums in SQL; Nabla solves) — the route of --engine duckdb;
//   memory     the in-memory route of nabla regress (the Parquet file read into a frame, the design, the Gram pass);
//   regr       DuckDB's own regr_slope(y, x1), one feature, as the floor of one aggregate pass over the file.
// Prints: mode|rows|seconds|rows per second|peak working set (MB)|a check value.
var (mode, path, rows) = (args[0], args[1], long.Parse(args.Length > 2 ? args[2] : "10000000"));
const string Formula20 = "y ~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11 + x12 + x13 + x14 + x15 + x16 + x17 + x18 + x19 + x20 + g";
var sw = Stopwatch.StartNew();
string check;
switch (mode)
{
    case "make":
    {
        using var c = new DuckDBConnection("DataSource=:memory:");
        c.Open();
        using var cmd = c.CreateCommand();
        // x_j = a hash of (row, j) scaled to [-1, 1) plus an offset of 100·j (so centring matters), y = Σ j·x_j + noise
        var xs = string.Join(", ", Enumerable.Range(1, 20).Select(j => $"(hash(i * 31 + {j}) % 2000000) / 1000000.0 - 1.0 + {100 * j} AS x{j}"));
        var ys = string.Join(" + ", Enumerable.Range(1, 20).Select(j => $"{j} * x{j}"));
        cmd.CommandText = $"COPY (SELECT *, {ys} + (hash(i * 7 + 3) % 2000000) / 1000000.0 - 1.0 + CASE g WHEN 'a' THEN 0 WHEN 'b' THEN 1 ELSE 2 END AS y FROM " +
            $"(SELECT i, {xs}, chr(97 + CAST(hash(i * 13) % 5 AS INTEGER)) AS g FROM range({rows}) t(i))) TO '{path.Replace("'", "''")}' (FORMAT parquet)";
        cmd.ExecuteNonQuery();
        check = new FileInfo(path).Length / (1 << 20) + " MB";
        break;
    }
    case "pushdown":
    {
        var r = SqlRegression.Fit(SqlSource.File(path), Formula.Parse(Formula20));
        check = $"x1 = {r.Fit.Table.Single(t => t.Name == "x1").Estimate:G10}, rank {r.Fit.Rank}";
        rows = r.Rows;
        break;
    }
    case "memory":
    {
        var frame = FrameReader.Read(path);
        var (fit, design) = FormulaModels.Regress(frame, Formula.Parse(Formula20), new RegressionOptions { Solver = Solver.Normal });
        check = $"x1 = {fit.Table.Single(t => t.Name == "x1").Estimate:G10}, rank {fit.Rank}";
        rows = design.N;
        break;
    }
    case "regr":
    {
        using var c = new DuckDBConnection("DataSource=:memory:");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT regr_slope(y, x1), COUNT(*) FROM read_parquet('{path.Replace("'", "''")}')";
        using var reader = cmd.ExecuteReader();
        reader.Read();
        check = $"slope on x1 alone = {reader.GetDouble(0):G10}";
        rows = Convert.ToInt64(reader.GetValue(1));
        break;
    }
    default: throw new ArgumentException($"unknown mode {mode}");
}
double s = sw.Elapsed.TotalSeconds;
long peak = Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20);
Console.WriteLine($"{mode}|{rows}|{s:F2}|{rows / s:F0}|{peak}|{check}");
