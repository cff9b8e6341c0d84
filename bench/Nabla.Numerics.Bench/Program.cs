using System.Diagnostics;
using Nabla.Numerics;

var blas = Blas.FromName(args.Length > 0 ? args[0] : "managed");
int n = args.Length > 1 ? int.Parse(args[1]) : 2000;
var rng = new Random(1);
var a = new double[n * n]; var b = new double[n * n]; var c = new double[n * n];
for (int i = 0; i < a.Length; i++) { a[i] = rng.NextDouble(); b[i] = rng.NextDouble(); }
var times = new List<double>();
for (int r = 0; r < 5; r++)
{
    var sw = Stopwatch.StartNew();
    blas.Gemm(false, false, n, n, n, 1, a, n, b, n, 0, c, n);
    times.Add(sw.Elapsed.TotalSeconds);
}
times.Sort();
Console.WriteLine($"{blas.Name} gemm {n}: {2.0 * n * n * n / times[2] / 1e9:F1} GFLOP/s (median of 5, {times[2] * 1000:F0} ms)");
