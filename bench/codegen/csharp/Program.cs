using System.Diagnostics;
using Nabla;
using Nabla.LinearAlgebra;
using Nabla.Numerics;

// Generated C# (./nabla … --emit csharp) against CompiledPlan, on the same data and the same backend: median wall
// time of value + gradient over repeats, after a warm-up. Both sides check their answers against each other first.
static class Program
{
    /// <summary>
    /// The medians of f's and g's times, measured in alternating blocks of ten calls (so drift in the machine's speed
    /// reaches both alike, and neither pays for the other's worker threads winding down within a block's median).
    /// </summary>
    static (double F, double G) Medians(int repeats, Action f, Action g)
    {
        f(); g(); f(); g();
        var tf = new List<double>();
        var tg = new List<double>();
        int block = Math.Min(10, repeats);
        for (int done = 0; done < repeats; done += block)
        {
            foreach (var (act, into) in new[] { (f, tf), (g, tg) })
                for (int i = 0; i < block; i++)
                {
                    var sw = Stopwatch.StartNew();
                    act();
                    into.Add(sw.Elapsed.TotalMilliseconds);
                }
        }
        tf.Sort();
        tg.Sort();
        return (tf[tf.Count / 2], tg[tg.Count / 2]);
    }

    static void Same(string name, double[] a, double[] b)
    {
        double scale = Math.Max(1, a.Max(Math.Abs)), err = a.Zip(b, (x, y) => Math.Abs(x - y)).Max() / scale;
        if (!(err < 1e-8)) throw new InvalidOperationException($"{name}: generated and plan differ by {err:E2}");
    }

    static Tensor Random(Random rng, int rows, int cols, ShapeKind kind = ShapeKind.Matrix)
    {
        var d = new double[rows * cols];
        for (int i = 0; i < d.Length; i++) d[i] = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        return new Tensor(kind, rows, cols, d);
    }

    static int Main(string[] args)
    {
        var rng = new Random(1);
        int m = 10000, n = 100, N = 1000;
        var X = Random(rng, m, n);
        var y = Random(rng, m, 1, ShapeKind.Vector);
        for (int i = 0; i < m; i++) y.Data[i] = Math.Sign(y.Data[i]);
        var w = Random(rng, n, 1, ShapeKind.Vector);
        for (int i = 0; i < n; i++) w.Data[i] /= 10;
        var A = Random(rng, N, N);
        var x = Random(rng, N, 1, ShapeKind.Vector);
        var Xs = Random(rng, N, N);
        for (int i = 0; i < N; i++) Xs.Data[i * N + i] += Math.Sqrt(N);
        var B = Random(rng, N, N);
        var S = new Tensor(ShapeKind.Matrix, N, N, new double[N * N]);
        Blas.Managed.Gemm(false, true, N, N, N, 1.0 / N, B.Data, N, B.Data, N, 0, S.Data, N);
        for (int i = 0; i < N; i++) S.Data[i * N + i] += 1;
        var mu = Random(rng, N, 1, ShapeKind.Vector);

        var backends = new[] { Blas.Managed, Blas.Create(BlasBackend.Native) }.DistinctBy(b => b.Name).ToList();
        Console.WriteLine($"backends: {string.Join("; ", backends.Select(b => $"{b.Name} ({b.Library ?? "managed"}, threads={b.Threads})"))}\n");
        Console.WriteLine("| value + gradient | backend | generated C# | CompiledPlan | ratio (goal ≤ 1) |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var blas in backends)
        {
            {
                var f = NablaMath.Parse("sum(softplus(-y.*(X*w)))", new Dictionary<string, string> { ["X"] = "matrix(m,n)", ["y"] = "vector(m)", ["w"] = "vector(n)" });
                var plan = f.CompileWithGradient("w", blas);
                var values = new Dictionary<string, Tensor> { ["X"] = X, ["y"] = y, ["w"] = w };
                var v = new double[1]; var g = new double[n];
                plan.Evaluate(values, v, g);
                var gen = LogisticDerivatives.logistic(y, X, w, blas);
                Same("logistic", [v[0], .. g], [gen.value, .. gen.grad_w.Data]);
                Row("logistic loss, 10000×100", blas, Medians(200, () => LogisticDerivatives.logistic(y, X, w, blas), () => plan.Evaluate(values, v, g)));
            }
            {
                var f = NablaMath.Parse("x'*A*x", new Dictionary<string, string> { ["x"] = "vector(n)", ["A"] = "matrix(n,n)" });
                var plan = f.CompileWithGradient("x", blas);
                var values = new Dictionary<string, Tensor> { ["x"] = x, ["A"] = A };
                var v = new double[1]; var g = new double[N];
                plan.Evaluate(values, v, g);
                var gen = QuadraticDerivatives.quadratic(x, A, blas);
                Same("quadratic", [v[0], .. g], [gen.value, .. gen.grad_x.Data]);
                Row("x'*A*x, n = 1000", blas, Medians(200, () => QuadraticDerivatives.quadratic(x, A, blas), () => plan.Evaluate(values, v, g)));
            }
            {
                var f = NablaMath.Parse("tr(inv(X)*A)", new Dictionary<string, string> { ["X"] = "matrix(n,n)", ["A"] = "matrix(n,n)" });
                var plan = f.CompileWithGradient("X", blas);
                var values = new Dictionary<string, Tensor> { ["X"] = Xs, ["A"] = A };
                var v = new double[1]; var g = new double[N * N];
                plan.Evaluate(values, v, g);
                var gen = TrinvDerivatives.trinv(Xs, A, blas);
                Same("trinv", [v[0], .. g], [gen.value, .. gen.grad_X.Data]);
                Row("tr(inv(X)*A), n = 1000", blas, Medians(10, () => TrinvDerivatives.trinv(Xs, A, blas), () => plan.Evaluate(values, v, g)));
            }
            {
                var types = new Dictionary<string, string> { ["x"] = "vector(n)", ["m"] = "vector(n)", ["S"] = "symmetric(n)" };
                var f = NablaMath.Parse("-logdet(S)/2-(x-m)'*inv(S)*(x-m)/2", types);
                var plan = new CompiledPlan([f.Expression, f.Gradient("m").Expression, f.Gradient("S").Expression], blas, variables: f.Variables);
                var values = new Dictionary<string, Tensor> { ["x"] = x, ["m"] = mu, ["S"] = S };
                var r = plan.Evaluate(values);
                var gen = GaussDerivatives.gauss(S, x, mu, blas);
                Same("gauss", [.. r[0].Data, .. r[1].Data, .. r[2].Data], [gen.value, .. gen.grad_m.Data, .. gen.grad_S.Data]);
                Row("Gaussian log-likelihood by m and S, n = 1000", blas, Medians(10, () => GaussDerivatives.gauss(S, x, mu, blas), () => plan.Evaluate(values)));
            }
        }
        return 0;
    }

    static void Row(string name, IBlas blas, (double Generated, double Plan) t) => Row(name, blas, t.Generated, t.Plan);

    static void Row(string name, IBlas blas, double generated, double plan) =>
        Console.WriteLine($"| {name} | {blas.Name} | {generated:F2} ms | {plan:F2} ms | {generated / plan:F2}{(generated / plan <= 1.0 ? "" : " (not met)")} |");
}
