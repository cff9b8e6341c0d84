using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nabla.LinearAlgebra;
using Xunit.Abstractions;

namespace Nabla.Tests.Codegen;

/// <summary>
/// Every module generated for the corpus runs in its own language — NumPy and PyTorch under Debian's /usr/bin/python3,
/// MATLAB code under Octave — and agrees with Nabla's evaluator to 1e-10 (relative to the larger of the value's largest
/// entry and 1) at the corpus's random points, and its own derivative check passes there.
/// </summary>
public class GeneratedCodeTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-10;
    private const double CheckTolerance = 1e-5;

    [Fact]
    public void The_corpus_has_at_least_150_expressions() =>
        Assert.True(CodegenCorpus.Cases.Count >= 150, $"{CodegenCorpus.Cases.Count} cases");

    [Theory]
    [InlineData("numpy")]
    [InlineData("torch")]
    public void Python_modules_run_and_agree_with_the_evaluator(string target)
    {
        var dir = Directory.CreateTempSubdirectory("nabla-codegen-" + target);
        try
        {
            var jobs = new JsonArray();
            foreach (var c in CodegenCorpus.Cases)
            {
                string file = Path.Combine(dir.FullName, c.FunctionName + ".py");
                File.WriteAllText(file, c.Emit(target));
                jobs.Add(new JsonObject
                {
                    ["file"] = file,
                    ["function"] = c.FunctionName,
                    ["args"] = new JsonArray(c.Parameters.Select(p => (JsonNode?)Json(c.Point[p.Name])).ToArray()),
                });
            }
            File.WriteAllText(Path.Combine(dir.FullName, "jobs.json"), jobs.ToJsonString());
            File.WriteAllText(Path.Combine(dir.FullName, "driver.py"), """
                import importlib.util, json, sys, traceback
                import numpy as np
                jobs = json.load(open(sys.argv[1]))
                out = []
                for job in jobs:
                    try:
                        spec = importlib.util.spec_from_file_location(job["function"], job["file"])
                        module = importlib.util.module_from_spec(spec)
                        spec.loader.exec_module(module)
                        fn = getattr(module, job["function"])
                        check = getattr(module, "check_" + job["function"])
                        args = [np.array(a, dtype=np.float64) if isinstance(a, list) else float(a) for a in job["args"]]
                        values = fn(*args)
                        flat = [np.asarray(v.numpy() if hasattr(v, "numpy") else v, dtype=np.float64).reshape(-1).tolist() for v in values]
                        out.append({"values": flat, "check": check(*args)})
                    except Exception:
                        out.append({"error": traceback.format_exc(limit=3)})
                json.dump(out, open(sys.argv[2], "w"))
                """);
            var results = RunTool("/usr/bin/python3", $"driver.py jobs.json out.json", dir.FullName, "python3-numpy and python3-torch");
            var answers = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.FullName, "out.json")))!.AsArray();
            Compare(target, answers.Select(a => Answer(a!)).ToList(), results);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Matlab_modules_run_under_octave_and_agree_with_the_evaluator()
    {
        var dir = Directory.CreateTempSubdirectory("nabla-codegen-matlab");
        try
        {
            var script = new StringBuilder("1;\nfid = fopen('out.txt', 'w');\n");
            foreach (var c in CodegenCorpus.Cases)
            {
                File.WriteAllText(Path.Combine(dir.FullName, c.FunctionName + ".m"), c.Emit("matlab"));
                string args = string.Join(", ", c.Parameters.Select(p => Octave(c.Point[p.Name])));
                int n = c.Derivatives.Count + 1;
                script.Append($"try\n  r = cell(1, {n});\n  [r{{:}}] = {c.FunctionName}({args});\n  e = {c.FunctionName}({args}{(args.Length > 0 ? ", " : "")}'check');\n");
                script.Append("  for k = 1:numel(r)\n    v = r{k}'; fprintf(fid, '%.17g ', v(:)); fprintf(fid, '|');\n  end\n");
                script.Append("  fprintf(fid, 'check %.17g\\n', e);\ncatch err\n  fprintf(fid, 'error %s\\n', strrep(err.message, char(10), ' '));\nend\n");
            }
            script.Append("fclose(fid);\n");
            File.WriteAllText(Path.Combine(dir.FullName, "driver.m"), script.ToString());
            var log = RunTool("octave-cli", "--no-gui --norc --quiet driver.m", dir.FullName, "octave");
            var lines = File.ReadAllLines(Path.Combine(dir.FullName, "out.txt"));
            var answers = lines.Select<string, (List<double[]>? Values, double Check, string? Error)>(l =>
            {
                if (l.StartsWith("error ", StringComparison.Ordinal)) return (null, double.NaN, l[6..]);
                var parts = l.Split('|');
                var values = parts[..^1].Select(p => p.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray()).ToList();
                return (values, double.Parse(parts[^1].Split(' ')[1], CultureInfo.InvariantCulture), null);
            }).ToList();
            Compare("matlab", answers, log);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private void Compare(string target, List<(List<double[]>? Values, double Check, string? Error)> answers, string log)
    {
        var cases = CodegenCorpus.Cases;
        Assert.True(answers.Count == cases.Count, $"{target}: {answers.Count} answers for {cases.Count} cases\n{log}");
        var failures = new List<string>();
        for (int i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var (values, check, error) = answers[i];
            if (error is not null) { failures.Add($"{c.Text}: {error}"); continue; }
            if (values!.Count != c.Expected.Count) { failures.Add($"{c.Text}: {values.Count} outputs, expected {c.Expected.Count}"); continue; }
            for (int k = 0; k < values.Count; k++)
            {
                var (want, got) = (c.Expected[k], values[k]);
                if (got.Length != want.Length) { failures.Add($"{c.Text} output {k}: {got.Length} entries, expected {want.Length}"); continue; }
                double scale = Math.Max(1, want.Max(Math.Abs));
                double err = want.Zip(got, (a, b) => Math.Abs(a - b)).DefaultIfEmpty(0).Max() / scale;
                if (!(err <= Tolerance)) failures.Add($"{c.Text} output {k}: differs by {err:E2} (relative)");
            }
            if (!(check <= CheckTolerance)) failures.Add($"{c.Text}: its own derivative check gives {check:E2}");
        }
        output.WriteLine($"{target}: {cases.Count} modules, {failures.Count} failures");
        Assert.True(failures.Count == 0, $"{target}: {failures.Count} of {cases.Count} modules fail:\n" + string.Join("\n", failures.Take(20)));
    }

    private static (List<double[]>? Values, double Check, string? Error) Answer(JsonNode a)
    {
        if (a["error"] is { } e) return (null, double.NaN, e.GetValue<string>());
        var values = a["values"]!.AsArray().Select(v => v!.AsArray().Select(x => x!.GetValue<double>()).ToArray()).ToList();
        return (values, a["check"]!.GetValue<double>(), null);
    }

    private static string RunTool(string exe, string args, string dir, string packages)
    {
        var psi = new ProcessStartInfo(exe, args) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["OMP_NUM_THREADS"] = "1";
        psi.Environment["OPENBLAS_NUM_THREADS"] = "1";
        Process p;
        try { p = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException($"{exe} is not installed: ./test installs {packages} from Debian");
        }
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException($"{exe} ran over 5 minutes"); }
        string log = stdout.Result + stderr.Result;
        Assert.True(p.ExitCode == 0, $"{exe} {args} exited with {p.ExitCode}:\n{log}");
        return log;
    }

    private static JsonNode Json(Tensor t) => t.Kind switch
    {
        ShapeKind.Scalar => JsonValue.Create(t.ScalarValue),
        ShapeKind.Vector or ShapeKind.Row => new JsonArray(t.Data.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
        _ => new JsonArray(Enumerable.Range(0, t.Rows).Select(i => (JsonNode?)new JsonArray(Enumerable.Range(0, t.Cols).Select(j => (JsonNode?)JsonValue.Create(t[i, j])).ToArray())).ToArray()),
    };

    private static string Octave(Tensor t)
    {
        static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        return t.Kind switch
        {
            ShapeKind.Scalar => F(t.ScalarValue),
            ShapeKind.Vector => "[" + string.Join("; ", t.Data.Select(F)) + "]",
            ShapeKind.Row => "[" + string.Join(" ", t.Data.Select(F)) + "]",
            _ => "[" + string.Join("; ", Enumerable.Range(0, t.Rows).Select(i => string.Join(" ", Enumerable.Range(0, t.Cols).Select(j => F(t[i, j]))))) + "]",
        };
    }
}

/// <summary>The corpus reaches every op of the registry, so every target's form for it is run.</summary>
public class CodegenCoverageTests
{
    [Fact]
    public void Every_op_is_in_some_generated_module()
    {
        var seen = new HashSet<string>();
        void Walk(Nabla.Expressions.Expr e)
        {
            if (e is Nabla.Expressions.Call c) seen.Add(c.Op.Name);
            foreach (var k in e.Children) Walk(k);
        }
        foreach (var c in CodegenCorpus.Cases)
        {
            Walk(c.Bound.Root);
            foreach (var (_, d) in c.Derivatives) Walk(d.Result!);
        }
        var missing = Nabla.Ops.Functions.ByName.Keys.Where(n => !seen.Contains(n)).Order().ToList();
        Assert.True(missing.Count == 0, "no case reaches " + string.Join(", ", missing));
    }
}
