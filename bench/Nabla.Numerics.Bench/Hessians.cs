using System.Diagnostics;
using Nabla.Expressions;
using Nabla.LinearAlgebra;

namespace Nabla.Numerics.Bench;

/// <summary>
/// The Hessian cases of the issue, on the data bench/peers_hessians.py builds the same way: x'*A*x at
/// n = 1000 and 4000, the logistic loss sum(softplus(-y.*(X*w))) at m = 10^4, d = 100 and 500. Each compiled
/// Hessian plan is timed per call (Evaluate into the caller's buffer); derive + compile and the first call
/// (which lays the plan out and allocates its buffers) are reported once, under "setup".
/// </summary>
public static class Hessians
{
    public static void Run(string[] cases)
    {
        if (cases.Length == 0) cases = ["quad", "logistic"];
        var backends = new[] { Blas.Managed, Blas.Create(BlasBackend.Native) }.DistinctBy(b => b.Name).ToArray();
        foreach (var c in cases)
            switch (c)
            {
                case "quad": foreach (int n in new[] { 1000, 4000 }) Quadratic(backends, n); break;
                case "logistic": foreach (int d in new[] { 100, 500 }) Logistic(backends, 10_000, d); break;
                default: throw new ArgumentException($"unknown case {c}");
            }
    }

    private static void Measure(string what, string text, string wrt, Dictionary<string, Tensor> values, IBlas[] backends, int length)
    {
        var h = new double[length];
        foreach (var blas in backends)
        {
            var sw = Stopwatch.StartNew();
            var plan = NablaMath.Parse(text).Hessian(wrt).Compile(blas);
            double derive = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            plan.Evaluate(values, h);
            double first = sw.Elapsed.TotalMilliseconds;
            Console.WriteLine($"setup|{what}|Nabla {blas.Name}|derive+compile {derive:F1} ms, first call {first:F1} ms");
            var ms = Time(11, () => plan.Evaluate(values, h));
            ms.Sort();
            Console.WriteLine($"{what}|Nabla {blas.Name}|{ms[ms.Count / 2]:F3}|-");
        }
        Console.Error.WriteLine($"{what}: H[0,0] {h[0]:R}, H[0,1] {h[1]:R}, sum {h.Sum():R}");
    }

    // A training loop calls the same plan thousands of times: warm up past the JIT's tiers first.
    private static List<double> Time(int reps, Action body) => Timing.Time(reps, body, warmMs: 1000);

    private static void Quadratic(IBlas[] backends, int n)
    {
        var values = new Dictionary<string, Tensor>
        {
            ["A"] = new Tensor(ShapeKind.Matrix, n, n, SideBySide.Data(n, n, 6)),
            ["x"] = Tensor.Vector(SideBySide.Data(n, 1, 7)),
        };
        Measure($"Hessian of x'*A*x, n={n}", "x'*A*x", "x", values, backends, n * n);
    }

    private static void Logistic(IBlas[] backends, int m, int d)
    {
        var yd = SideBySide.Data(m, 1, 4);
        for (int i = 0; i < m; i++) yd[i] = yd[i] >= 0 ? 1 : -1;
        var w = SideBySide.Data(d, 1, 5);
        for (int i = 0; i < d; i++) w[i] *= 0.1;
        var values = new Dictionary<string, Tensor>
        {
            ["X"] = new Tensor(ShapeKind.Matrix, m, d, SideBySide.Data(m, d, 3)),
            ["y"] = Tensor.Vector(yd),
            ["w"] = Tensor.Vector(w),
        };
        Measure($"Hessian of logistic loss, m=1e4, d={d}", "sum(softplus(-y.*(X*w)))", "w", values, backends, d * d);
    }
}
