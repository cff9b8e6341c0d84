using Nabla.Checking;
using Nabla.Calculus;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Running;
using Nabla.Api;
using Nabla.Expressions;
using Nabla.Numerics;
using Nabla.LinearAlgebra;

namespace Nabla.Bench;

/// <summary>
/// Modes:
///   (no mode)             BenchmarkDotNet over every case; run from bench/Nabla.Bench (BenchmarkDotNet looks for the
///                         csproj in the current directory): dotnet run -c Release -- --filter "*" [--job Short]
///   --quick               Stopwatch medians after warm-up, printed as a table (no BenchmarkDotNet)
///   --json FILE           the same medians plus each result, a numeric check and a random point, as JSON
/// Options for --quick/--json: --budget-ms N (time per case, default 300), --warmup-ms N (all cases, before any is timed; default 2000), --only ID[,ID...]
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        bool quick = args.Contains("--quick");
        string? json = Arg(args, "--json");
        if (!quick && json is null)
        {
            BenchmarkSwitcher.FromTypes([typeof(SymbolicBenchmarks)]).Run(args);
            return 0;
        }
        double budgetMs = double.Parse(Arg(args, "--budget-ms") ?? "300", CultureInfo.InvariantCulture);
        var only = Arg(args, "--only")?.Split(',').ToHashSet();
        var cases = Cases.All.Where(c => only is null || only.Contains(c.Id)).ToList();

        // Global warm-up over every case, so that tiered JIT has promoted the shared code paths before the first
        // case is measured (otherwise the cases measured first pay for tier-0 code).
        double warmupMs = double.Parse(Arg(args, "--warmup-ms") ?? "2000", CultureInfo.InvariantCulture);
        var declsOf = cases.ToDictionary(c => c.Id, c => c.Declarations());
        var globalWarm = Stopwatch.StartNew();
        while (globalWarm.Elapsed.TotalMilliseconds < warmupMs)
            foreach (var c in cases)
                try { Pipeline.Run(c, declsOf[c.Id]); } catch (Exception) { /* reported when measured */ }

        var rows = new List<Dictionary<string, object?>>();
        if (quick) Console.WriteLine($"{"id",-16} {"median µs",10} {"p90 µs",9} {"n",6}  result");
        foreach (var c in cases)
        {
            var row = Measure(c, budgetMs);
            rows.Add(row);
            if (quick)
                Console.WriteLine(row.GetValueOrDefault("error") is string err
                    ? $"{c.Id,-16} {"-",10} {"-",9} {"-",6}  ERROR {err}"
                    : $"{c.Id,-16} {(double)row["median_us"]!,10:F1} {(double)row["p90_us"]!,9:F1} {(int)row["samples"]!,6}  {row["text"]}");
        }
        if (quick)
        {
            var med = rows.Where(r => r["median_us"] is double).Select(r => (double)r["median_us"]!).ToList();
            if (med.Count > 0)
                Console.WriteLine($"median over cases {Median(med):F1} µs, worst {med.Max():F1} µs ({med.Count} cases)");
        }
        if (json is not null)
        {
            var doc = new Dictionary<string, object?>
            {
                ["runtime"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
                ["budget_ms"] = budgetMs,
                ["cases"] = rows,
            };
            File.WriteAllText(json, JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
        }
        return 0;
    }

    private static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    /// <summary>
    /// Warm up (at least 20 calls and a third of the budget), then time single calls until the budget is spent
    /// (at least 30 samples); the median of the single-call times is the result.
    /// </summary>
    private static Dictionary<string, object?> Measure(Case c, double budgetMs)
    {
        var row = new Dictionary<string, object?> { ["id"] = c.Id, ["expr"] = c.Expr, ["wrt"] = c.Wrt, ["vars"] = c.Vars };
        var decls = c.Declarations();
        DerivativeResult r;
        try { r = Pipeline.Run(c, decls); }
        catch (Exception e)
        {
            row["error"] = e.Message;
            return row;
        }
        var warm = Stopwatch.StartNew();
        for (int i = 0; i < 20 || warm.Elapsed.TotalMilliseconds < budgetMs / 3; i++) Pipeline.Run(c, decls);

        var samples = new List<double>();
        var total = Stopwatch.StartNew();
        while (samples.Count < 30 || total.Elapsed.TotalMilliseconds < budgetMs)
        {
            long t0 = Stopwatch.GetTimestamp();
            Pipeline.Run(c, decls);
            samples.Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
            if (samples.Count >= 200_000) break;
        }
        samples.Sort();
        row["median_us"] = Median(samples);
        row["p90_us"] = samples[(int)(0.9 * (samples.Count - 1))];
        row["min_us"] = samples[0];
        row["samples"] = samples.Count;
        row["text"] = r.Text;
        row["latex"] = r.Latex;
        AddNumerics(row, c, decls, r);
        return row;
    }

    /// <summary>Nabla's own finite-difference check, and one random point with the gradient there for SymPy to be checked against.</summary>
    private static void AddNumerics(Dictionary<string, object?> row, Case c, IReadOnlyDictionary<string, Nabla.Semantics.VarType> decls, DerivativeResult r)
    {
        try
        {
            var b = Nabla.Semantics.Binder.Bind(c.Expr, new Nabla.Semantics.BindOptions { Declarations = decls, PreferScalar = true });
            var x = b.Variable(c.Wrt)!;
            var check = GradientCheck.Check(b.Root, x, r.Matrix, DerivativeKind.Gradient, b.Variables);
            row["fd_max_rel_error"] = check.MaxRelativeError;
            row["fd_passed"] = check.Passed;

            var vars = b.Variables.ToList();
            var point = RandomPoint.Draw(b.Root, vars, new Random(2024));
            var ev = new Evaluator(point, vars);
            row["types"] = vars.ToDictionary(v => v.Name, v => v.Shape.Kind.ToString() + (v.Symmetric ? " symmetric" : ""));
            row["point"] = point.ToDictionary(kv => kv.Key, kv => (object)Dump(kv.Value));
            row["value"] = Dump(ev.Evaluate(b.Root));
            row["gradient"] = Dump(ev.Evaluate(r.Matrix));
        }
        catch (Exception e)
        {
            row["numeric_error"] = e.Message;
        }
    }

    private static Dictionary<string, object> Dump(Tensor t) => new()
    {
        ["kind"] = t.Kind.ToString(), ["rows"] = t.Rows, ["cols"] = t.Cols, ["data"] = t.Data,
    };
}
