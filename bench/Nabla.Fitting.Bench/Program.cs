using System.Diagnostics;
using System.Globalization;
using Nabla.Data;
using Nabla.Models;
using Nabla.LinearAlgebra;

// Benchmarks of Nabla's linear regression (not a unit test): see bench/Fitting/run.sh.
//   gen DIR N D CSV_ROWS CSV_COLS   writes DIR/X.bin, DIR/y.bin (little-endian doubles) and DIR/data.csv
//   fit DIR N D REPEATS             times LinearRegression.Fit on the binary data (and the X'X/X'y pass alone)
//   csv DIR REPEATS                 times CsvRegression.Fit on DIR/data.csv
//   wide DIR N D DISTINCT REPEATS    writes DIR/wide-N-D-DISTINCT.{X,y}.bin (rows past DISTINCT repeat earlier ones, doubled)
//                                   and times LinearRegression.Fit on them (the wide route)
var inv = CultureInfo.InvariantCulture;
switch (args[0])
{
    case "gen":
    {
        string dir = args[1];
        int n = int.Parse(args[2]), d = int.Parse(args[3]), cn = int.Parse(args[4]), cd = int.Parse(args[5]);
        Directory.CreateDirectory(dir);
        var rng = new Random(20261127);
        var w = Enumerable.Range(0, d).Select(j => Math.Sin(j + 1)).ToArray();
        using (var fx = new BinaryWriter(File.Create(Path.Combine(dir, "X.bin"))))
        using (var fy = new BinaryWriter(File.Create(Path.Combine(dir, "y.bin"))))
        {
            var row = new double[d];
            for (int i = 0; i < n; i++)
            {
                double s = 0.5;
                for (int j = 0; j < d; j++) { row[j] = Normal(rng); s += w[j] * row[j]; fx.Write(row[j]); }
                fy.Write(s + 0.1 * Normal(rng));
            }
        }
        using var csv = new StreamWriter(Path.Combine(dir, "data.csv"));
        csv.WriteLine(string.Join(",", Enumerable.Range(1, cd).Select(j => $"x{j}")) + ",y");
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < cn; i++)
        {
            sb.Clear();
            double s = 1;
            for (int j = 0; j < cd; j++)
            {
                double v = Normal(rng) * 10;
                s += w[j % d] * v;
                sb.Append(v.ToString("F6", inv)).Append(',');
            }
            sb.Append((s + Normal(rng)).ToString("F6", inv));
            csv.WriteLine(sb);
        }
        break;
    }
    case "fit":
    {
        string dir = args[1];
        int n = int.Parse(args[2]), d = int.Parse(args[3]), reps = int.Parse(args[4]);
        var x = Read(Path.Combine(dir, "X.bin"), (long)n * d);
        var y = Read(Path.Combine(dir, "y.bin"), n);
        var gram = new List<double>();
        var fit = new List<double>();
        RegressionResult? r = null;
        for (int k = 0; k < reps + 1; k++) // the first run warms up the JIT
        {
            var sw = Stopwatch.StartNew();
            var acc = new GramAccumulator(d);
            acc.Add(x, y, n);
            _ = acc.Result();
            double tg = sw.Elapsed.TotalSeconds;
            sw.Restart();
            r = LinearRegression.Fit(x, n, d, y);
            double tf = sw.Elapsed.TotalSeconds;
            if (k > 0) { gram.Add(tg); fit.Add(tf); }
        }
        double flops = (double)n * (d + 2) * (d + 3); // the upper triangle of the augmented (d+2)² syrk, 2 flops per multiply-add
        Console.WriteLine($"nabla_gram_s {Median(gram):F4}");
        Console.WriteLine($"nabla_gram_gflops {flops / Median(gram) / 1e9:F1}");
        Console.WriteLine($"nabla_fit_s {Median(fit):F4}");
        Console.WriteLine($"nabla_fit_solver {r!.Solver}");
        Console.WriteLine($"nabla_fit_w0 {r.Intercept.ToString("R", inv)} {r.Coefficients[0].ToString("R", inv)} {r.Coefficients[^1].ToString("R", inv)}");
        break;
    }
    case "wide":
    {
        string dir = args[1];
        int n = int.Parse(args[2]), d = int.Parse(args[3]), distinct = int.Parse(args[4]), reps = int.Parse(args[5]);
        var rng = new Random(7);
        var x = new double[(long)n * d];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (i < distinct) for (int j = 0; j < d; j++) x[(long)i * d + j] = Normal(rng);
            else for (int j = 0; j < d; j++) x[(long)i * d + j] = 2 * x[(long)(i - distinct) * d + j];
            y[i] = x[(long)i * d] + 0.5 * x[(long)i * d + 1] + 0.1 * Normal(rng);
        }
        string stem = Path.Combine(dir, $"wide-{n}-{d}-{distinct}");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(stem + ".X.bin", System.Runtime.InteropServices.MemoryMarshal.AsBytes(x.AsSpan()).ToArray());
        File.WriteAllBytes(stem + ".y.bin", System.Runtime.InteropServices.MemoryMarshal.AsBytes(y.AsSpan()).ToArray());
        var times = new List<double>();
        RegressionResult? r = null;
        long before = GC.GetTotalAllocatedBytes(true);
        for (int k = 0; k < reps + 1; k++) // the first run warms up the JIT
        {
            var sw = Stopwatch.StartNew();
            r = LinearRegression.Fit(x, n, d, y);
            if (k > 0) times.Add(sw.Elapsed.TotalSeconds);
        }
        long allocated = (GC.GetTotalAllocatedBytes(true) - before) / (reps + 1);
        Console.WriteLine($"nabla_wide_s {Median(times):F4}");
        Console.WriteLine($"nabla_wide_rank {r!.Rank}");
        Console.WriteLine($"nabla_wide_alloc_mb {allocated / 1e6:F0}");
        Console.WriteLine($"nabla_wide_w {r.Intercept.ToString("R", inv)} {r.Coefficients[0].ToString("R", inv)} {r.Coefficients[^1].ToString("R", inv)}");
        break;
    }
    case "probe":
    {
        int p = int.Parse(args[1]);
        var rng = new Random(1);
        var a = new double[p * p];
        for (int i = 0; i < p; i++) for (int j = 0; j <= i; j++) a[i * p + j] = a[j * p + i] = (i == j ? p : 0) + rng.NextDouble();
        for (int k = 0; k < 3; k++)
        {
            var sw = Stopwatch.StartNew();
            Orthogonal.Svd(a, p);
            Console.WriteLine($"svd {p}: {sw.Elapsed.TotalMilliseconds:F1} ms");
            sw.Restart();
            var sv = Orthogonal.SingularValues(a, p);
            Console.WriteLine($"singular values {p}: {sw.Elapsed.TotalMilliseconds:F1} ms, {sv[0]} {sv[^1]}");
        }
        break;
    }
    case "logit-gen":
    {
        // X n×d standard normal, y ~ Bernoulli(sigmoid(0.3 + X·w)) with w_j = sin(j+1)/2: little-endian doubles.
        string dir = args[1];
        int n = int.Parse(args[2]), d = int.Parse(args[3]);
        Directory.CreateDirectory(dir);
        var rng = new Random(20261202);
        var w = Enumerable.Range(0, d).Select(j => Math.Sin(j + 1) / 2).ToArray();
        using var fx = new BinaryWriter(File.Create(Path.Combine(dir, "logit_X.bin")));
        using var fy = new BinaryWriter(File.Create(Path.Combine(dir, "logit_y.bin")));
        var row = new double[d];
        for (int i = 0; i < n; i++)
        {
            double eta = 0.3;
            for (int j = 0; j < d; j++) { row[j] = Normal(rng); eta += w[j] * row[j]; fx.Write(row[j]); }
            fy.Write(rng.NextDouble() < 1 / (1 + Math.Exp(-eta)) ? 1.0 : 0.0);
        }
        break;
    }
    case "logit":
    {
        // Glm.Fit (Newton on the derived Hessian) and Objective.Minimize of the user-written loss (what `nabla fit` runs
        // after reading the CSV), L-BFGS, on the same in-memory data, each the median of REPEATS.
        string dir = args[1];
        int n = int.Parse(args[2]), d = int.Parse(args[3]), reps = int.Parse(args[4]);
        var x = Read(Path.Combine(dir, "logit_X.bin"), (long)n * d);
        var y = Read(Path.Combine(dir, "logit_y.bin"), n);
        Glm.Fit(x[..(1000 * d)], 1000, d, y[..1000]);
        var times = new List<double>();
        GlmResult? g = null;
        for (int k = 0; k < reps; k++)
        {
            var sw = Stopwatch.StartNew();
            g = Glm.Fit(x, n, d, y);
            times.Add(sw.Elapsed.TotalSeconds);
        }
        Console.WriteLine($"nabla_glm_s {Median(times):F3}");
        Console.WriteLine($"nabla_glm_iterations {g!.Iterations}");
        Console.WriteLine($"nabla_glm_w {string.Join(" ", g.Coefficients.Take(3).Select(c => c.Estimate.ToString("R", inv)))}");
        // The user-written objective: X with its column of ones, the loss as one would type it.
        var design = new double[(long)n * (d + 1)];
        for (int i = 0; i < n; i++)
        {
            design[(long)i * (d + 1)] = 1;
            Array.Copy(x, (long)i * d, design, (long)i * (d + 1) + 1, d);
        }
        var ypm = y.Select(v => 2 * v - 1).ToArray();
        var loss = Nabla.NablaMath.Parse("sum(softplus(-y.*(X*w)))");
        var start = new Dictionary<string, Tensor> { ["X"] = Tensor.Matrix(design, n, d + 1), ["y"] = Tensor.Vector(ypm), ["w"] = Tensor.Vector(new double[d + 1]) };
        times.Clear();
        Nabla.Optimization.MinimizeResult? m = null;
        for (int k = 0; k < reps; k++)
        {
            var sw = Stopwatch.StartNew();
            m = loss.Minimize(["w"], start, new Nabla.Optimization.MinimizeOptions { GradientTolerance = 1e-6 });
            times.Add(sw.Elapsed.TotalSeconds);
        }
        Console.WriteLine($"nabla_fit_lbfgs_s {Median(times):F3}");
        Console.WriteLine($"nabla_fit_lbfgs_iterations {m!.Iterations} {m.Reason}");
        Console.WriteLine($"nabla_fit_lbfgs_w {string.Join(" ", m.Minimizer["w"].Data.Take(3).Select(v => v.ToString("R", inv)))}");
        break;
    }
    case "poisson-gen":
    {
        // Counts on the logistic benchmark's X: y ~ Poisson(exp(0.5 + X·w)) with w_j = sin(j+1)/8.
        string dir = args[1];
        int n = int.Parse(args[2]), d = int.Parse(args[3]);
        var x = Read(Path.Combine(dir, "logit_X.bin"), (long)n * d);
        var rng = new Random(20261203);
        var w = Enumerable.Range(0, d).Select(j => Math.Sin(j + 1) / 8).ToArray();
        using var fy = new BinaryWriter(File.Create(Path.Combine(dir, "pois_y.bin")));
        for (int i = 0; i < n; i++)
        {
            double eta = 0.5;
            for (int j = 0; j < d; j++) eta += w[j] * x[(long)i * d + j];
            double lambda = Math.Exp(eta), l = Math.Exp(-lambda), p = 1;
            int k = 0; // Knuth's method: the rates here are small
            do { k++; p *= rng.NextDouble(); } while (p > l);
            fy.Write((double)(k - 1));
        }
        break;
    }
    case "poisson":
    {
        string dir = args[1];
        int n = int.Parse(args[2]), d = int.Parse(args[3]), reps = int.Parse(args[4]);
        var x = Read(Path.Combine(dir, "logit_X.bin"), (long)n * d);
        var y = Read(Path.Combine(dir, "pois_y.bin"), n);
        Glm.Fit(x[..(1000 * d)], 1000, d, y[..1000], new GlmOptions { Family = Family.Poisson });
        var times = new List<double>();
        GlmResult? g = null;
        for (int k = 0; k < reps; k++)
        {
            var sw = Stopwatch.StartNew();
            g = Glm.Fit(x, n, d, y, new GlmOptions { Family = Family.Poisson });
            times.Add(sw.Elapsed.TotalSeconds);
        }
        Console.WriteLine($"nabla_poisson_s {Median(times):F3}");
        Console.WriteLine($"nabla_poisson_iterations {g!.Iterations}");
        Console.WriteLine($"nabla_poisson_w {string.Join(" ", g.Coefficients.Take(3).Select(c => c.Estimate.ToString("R", inv)))}");
        break;
    }
    case "csv":
    {
        string path = Path.Combine(args[1], "data.csv");
        int reps = int.Parse(args[2]);
        var times = new List<double>();
        RegressionResult? r = null;
        for (int k = 0; k < reps; k++)
        {
            var sw = Stopwatch.StartNew();
            r = CsvRegression.Fit(path, "y");
            times.Add(sw.Elapsed.TotalSeconds);
        }
        double mb; using (var f = File.OpenRead(path)) mb = f.Length / 1e6; // the file may be a link
        Console.WriteLine($"nabla_csv_s {Median(times):F3}");
        Console.WriteLine($"nabla_csv_mb {mb:F1}");
        Console.WriteLine($"nabla_csv_mbps {mb / Median(times):F1}");
        Console.WriteLine($"nabla_csv_rows {r!.N}");
        Console.WriteLine($"nabla_csv_w0 {r.Intercept.ToString("R", inv)} {r.Coefficients[0].ToString("R", inv)}");
        Console.WriteLine($"nabla_peak_working_set_mb {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0}");
        break;
    }
}

static double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

static double Median(List<double> v) { var s = v.OrderBy(x => x).ToList(); return s[s.Count / 2]; }

static double[] Read(string path, long count)
{
    var a = new double[count];
    using var f = File.OpenRead(path);
    var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan());
    f.ReadExactly(bytes);
    return a;
}
