using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Nabla.LinearAlgebra;

namespace Nabla.Codegen;

/// <summary>
/// What generated C# calls: the shape checks that name the variable, the stable scalar functions, and the dense
/// kernels over row-major arrays (products through <see cref="IBlas"/>, solves, determinants), each allocating its
/// result. Public so that code from <c>nabla … --emit csharp</c> and the source generator compiles against it;
/// the names and signatures are kept stable like the rest of the library's surface.
/// </summary>
public static class CodeKernels
{
    // ----- shapes -----

    /// <summary>Throws unless <paramref name="t"/> is of <paramref name="kind"/> (a scalar passed as a 1×1 is not accepted).</summary>
    public static void Expect(Tensor t, ShapeKind kind, string name, string describe)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        if (t.Kind != kind)
            throw new ArgumentException($"{name} must be a {describe}, got {Describe(t)}", name);
    }

    /// <summary>Throws unless a size of <paramref name="name"/> is the one the other variables fixed.</summary>
    public static void ExpectSize(int actual, int wanted, string name, string describe, string dim)
    {
        if (actual != wanted)
            throw new ArgumentException($"{name} must be a {describe} with {dim} = {wanted}, got {actual}", name);
    }

    private static string Describe(Tensor t) => t.Kind switch
    {
        ShapeKind.Scalar => "a scalar",
        ShapeKind.Vector => $"a vector of {t.Rows}",
        ShapeKind.Row => $"a row vector of {t.Cols}",
        _ => $"a {t.Rows}×{t.Cols} matrix",
    };

    // ----- scalar functions (the evaluator's own forms) -----

    /// <summary>x², as the evaluator.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sq(double x) => x * x;

    /// <summary>The logistic function 1/(1+e^-v), stable for large |v| (the evaluator's form, to an ulp).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sigmoid(double v)
    {
        // One exp, no branch to mispredict: 1/(1+e^-v) for v ≥ 0, e^v/(1+e^v) below, as the evaluator (to an ulp).
        double e = Math.Exp(-Math.Abs(v)), r = 1 / (1 + e);
        return v >= 0 ? r : e * r;
    }

    /// <summary>log(1+e^v), stable for large |v| (the evaluator's form).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Softplus(double v) => Math.Max(v, 0) + Math.Log(1 + Math.Exp(-Math.Abs(v))); // the evaluator's two branches in one

    /// <summary>max(v, 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Relu(double v) => v > 0 ? v : 0;

    /// <summary>erf, log1p, expm1 and gelu: the evaluator's own (<see cref="Ops.Special"/>).</summary>
    public static double Erf(double v) => Ops.Special.Erf(v);

    /// <summary>log(1+v), accurate near 0.</summary>
    public static double Log1p(double v) => Ops.Special.Log1p(v);

    /// <summary>e^v - 1, accurate near 0.</summary>
    public static double Expm1(double v) => Ops.Special.Expm1(v);

    /// <summary>The Gaussian error linear unit v·Φ(v).</summary>
    public static double Gelu(double v) => Ops.Special.Gelu(v);

    /// <summary>The mean of the entries (NaN for none, as the evaluator).</summary>
    public static double Mean(double[] a) => a.Length == 0 ? double.NaN : Sum(a) / a.Length;

    /// <summary>The Heaviside step: 1 for v &gt; 0, else 0 (the derivative of relu).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Step(double v) => v > 0 ? 1 : 0;

    /// <summary>The sign of v: -1, 0 or 1, and NaN at NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sign(double v) => v > 0 ? 1 : v < 0 ? -1 : v; // 0 at 0, NaN at NaN (Math.Sign throws there)

    // ----- the same, four entries at a time -----

    /// <see cref="Sq(double)"/> on four entries at a time.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Sq(Vector256<double> x) => x * x;

    /// <see cref="Sigmoid(double)"/> on four entries at a time.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Sigmoid(Vector256<double> v)
    {
        var e = Vector256.Exp(-Vector256.Abs(v));
        var r = Vector256<double>.One / (Vector256<double>.One + e);
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(v, Vector256<double>.Zero), r, e * r);
    }

    /// <see cref="Softplus(double)"/> on four entries at a time.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Softplus(Vector256<double> v) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(v, Vector256<double>.Zero), v, Vector256<double>.Zero) // max(v, 0); NaN in the sum below
        + Vector256.Log(Vector256<double>.One + Vector256.Exp(-Vector256.Abs(v)));

    /// <see cref="Relu(double)"/> on four entries at a time.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Relu(Vector256<double> v) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(v, Vector256<double>.Zero), v, Vector256<double>.Zero);

    /// <see cref="Step(double)"/> on four entries at a time.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Step(Vector256<double> v) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(v, Vector256<double>.Zero), Vector256<double>.One, Vector256<double>.Zero);

    // ----- reductions -----

    /// <summary>The sum of the entries.</summary>
    public static double Sum(double[] a)
    {
        double s = 0;
        foreach (var v in a) s += v;
        return s;
    }

    /// <summary>The Euclidean norm of the entries.</summary>
    public static double Norm2(double[] a)
    {
        double s = 0;
        foreach (var v in a) s += v * v;
        return Math.Sqrt(s);
    }

    /// <summary>The sum of the absolute values of the entries.</summary>
    public static double Norm1(double[] a)
    {
        double s = 0;
        foreach (var v in a) s += Math.Abs(v);
        return s;
    }

    /// <summary>tr(A) for the n×n <paramref name="a"/>.</summary>
    public static double Trace(double[] a, int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++) s += a[i * n + i];
        return s;
    }

    /// <summary>tr(op(P)·op(Q)) for op(P) n×k and op(Q) k×n, without forming the product.</summary>
    public static double TraceProduct(double[] p, bool transP, double[] q, bool transQ, int n, int k)
    {
        double s = 0;
        if (transP != transQ) // the same layout: the sum of the entry-wise product
        {
            for (int i = 0; i < p.Length; i++) s += p[i] * q[i];
            return s;
        }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < k; j++)
                s += transP ? p[j * n + i] * q[i * k + j] : p[i * k + j] * q[j * n + i];
        return s;
    }

    /// <summary>log(sum(exp(x))), shifted by the maximum so that it neither overflows nor underflows.</summary>
    public static double LogSumExp(double[] x)
    {
        double m = double.NegativeInfinity;
        foreach (var v in x) m = Math.Max(m, v);
        if (double.IsInfinity(m)) return m;
        double s = 0;
        foreach (var v in x) s += Math.Exp(v - m);
        return m + Math.Log(s);
    }

    /// <summary>exp(x)/sum(exp(x)), shifted by the maximum; a new array.</summary>
    public static double[] Softmax(double[] x)
    {
        double m = double.NegativeInfinity;
        foreach (var v in x) m = Math.Max(m, v);
        var e = new double[x.Length];
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += e[i] = Math.Exp(x[i] - m);
        for (int i = 0; i < x.Length; i++) e[i] /= s;
        return e;
    }

    // ----- square matrices -----

    /// <summary>det(A) for the n×n <paramref name="a"/>, from an LU factorisation (0 for a singular matrix).</summary>
    public static double Det(IBlas blas, double[] a, int n)
    {
        var lu = (double[])a.Clone();
        var ipiv = new int[n];
        if (!blas.Getrf(n, lu, ipiv)) return 0;
        var (l, sign) = blas.LuDeterminant(n, lu, ipiv);
        return sign * Math.Exp(l);
    }

    /// <summary>log det(A) from an LU factorisation; throws unless det(A) &gt; 0.</summary>
    public static double LogDet(IBlas blas, double[] a, int n)
    {
        var lu = (double[])a.Clone();
        var ipiv = new int[n];
        if (!blas.Getrf(n, lu, ipiv)) throw new ArithmeticException("logdet of a singular matrix");
        var (l, sign) = blas.LuDeterminant(n, lu, ipiv);
        if (sign <= 0) throw new ArithmeticException("logdet needs a matrix with a positive determinant");
        return l;
    }

    /// <summary>inv(A) and logdet(A) from one LU factorisation.</summary>
    public static (double[] Inverse, double LogDet) InvAndLogDet(IBlas blas, double[] a, int n)
    {
        var r = (double[])a.Clone();
        var ipiv = new int[n];
        if (!blas.Getrf(n, r, ipiv)) throw new ArithmeticException("inv of a singular matrix");
        var (l, sign) = blas.LuDeterminant(n, r, ipiv);
        if (sign <= 0) throw new ArithmeticException("logdet needs a matrix with a positive determinant");
        blas.Getri(n, r, ipiv);
        return (r, l);
    }

    /// <summary>inv(A) for the n×n <paramref name="a"/>, from an LU factorisation; throws for a singular matrix.</summary>
    public static double[] Inv(IBlas blas, double[] a, int n)
    {
        var r = (double[])a.Clone();
        var ipiv = new int[n];
        if (!blas.Getrf(n, r, ipiv)) throw new ArithmeticException("inv of a singular matrix");
        blas.Getri(n, r, ipiv);
        return r;
    }

    /// <summary>adj(A), the adjugate (transposed cofactor matrix) of the n×n <paramref name="a"/>.</summary>
    public static double[] Adj(double[] a, int n) => DenseOps.Adjugate(new Tensor(ShapeKind.Matrix, n, n, a)).Data;

    /// <summary>expm(A) (<see cref="MatrixExponential.Expm"/>).</summary>
    public static double[] Expm(IBlas blas, double[] a, int n) => MatrixExponential.Expm(new Tensor(ShapeKind.Matrix, n, n, a), blas).Data;

    /// <summary>L(A, E), the Fréchet derivative of expm at A in the direction E (<see cref="MatrixExponential.ExpmFrechet"/>).</summary>
    public static double[] ExpmFrechet(IBlas blas, double[] a, double[] e, int n) =>
        MatrixExponential.ExpmFrechet(new Tensor(ShapeKind.Matrix, n, n, a), new Tensor(ShapeKind.Matrix, n, n, e), blas).Frechet.Data;

    /// <summary>The principal logarithm and square root and their Fréchet derivatives (<see cref="MatrixRootLog"/>).</summary>
    public static double[] Logm(IBlas blas, double[] a, int n) => MatrixRootLog.Logm(new Tensor(ShapeKind.Matrix, n, n, a), blas).Data;

    /// <summary>sqrtm(A), the principal square root (<see cref="MatrixRootLog.Sqrtm"/>).</summary>
    public static double[] Sqrtm(IBlas blas, double[] a, int n) => MatrixRootLog.Sqrtm(new Tensor(ShapeKind.Matrix, n, n, a), blas).Data;

    /// <summary>The Fréchet derivative of logm at A in the direction E (<see cref="MatrixRootLog.LogmFrechet"/>).</summary>
    public static double[] LogmFrechet(IBlas blas, double[] a, double[] e, int n) =>
        MatrixRootLog.LogmFrechet(new Tensor(ShapeKind.Matrix, n, n, a), new Tensor(ShapeKind.Matrix, n, n, e), blas).Data;

    /// <summary>The Fréchet derivative of sqrtm at A in the direction E (<see cref="MatrixRootLog.SqrtmFrechet"/>).</summary>
    public static double[] SqrtmFrechet(IBlas blas, double[] a, double[] e, int n) =>
        MatrixRootLog.SqrtmFrechet(new Tensor(ShapeKind.Matrix, n, n, a), new Tensor(ShapeKind.Matrix, n, n, e), blas).Data;

    /// <summary>A^k (k &lt; 0: the inverse's power).</summary>
    public static double[] MatPow(IBlas blas, double[] a, int n, int k)
    {
        var b = k < 0 ? Inv(blas, a, n) : a;
        var o = Eye(n);
        var tmp = new double[n * n];
        for (int p = 0; p < Math.Abs(k); p++)
        {
            blas.Gemm(false, false, n, n, n, 1, o, n, b, n, 0, tmp, n);
            (o, tmp) = (tmp, o);
        }
        return o;
    }

    /// <summary>The n×n identity.</summary>
    public static double[] Eye(int n)
    {
        var r = new double[n * n];
        for (int i = 0; i < n; i++) r[i * n + i] = 1;
        return r;
    }

    /// <summary>diag(v): the square matrix with <paramref name="v"/> on its diagonal.</summary>
    public static double[] DiagMatrix(double[] v)
    {
        int n = v.Length;
        var r = new double[n * n];
        for (int i = 0; i < n; i++) r[i * n + i] = v[i];
        return r;
    }

    /// <summary>The diagonal of the n×n <paramref name="a"/>, as a vector.</summary>
    public static double[] DiagOf(double[] a, int n)
    {
        var r = new double[n];
        for (int i = 0; i < n; i++) r[i] = a[i * n + i];
        return r;
    }

    /// <summary>The transpose of the rows×cols <paramref name="a"/>.</summary>
    public static double[] Transposed(double[] a, int rows, int cols)
    {
        var r = new double[a.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) r[j * rows + i] = a[i * cols + j];
        return r;
    }

    // ----- products -----

    /// <summary>a'·b through <paramref name="blas"/>.</summary>
    public static double Dot(IBlas blas, double[] a, double[] b) => blas.Dot(a, b);

    /// <summary>op(A)·op(B), m×n, op(A) m×k: A is stored m×k (k×m when transposed), B k×n (n×k when transposed).</summary>
    public static double[] MatMul(IBlas blas, bool transA, bool transB, int m, int n, int k, double[] a, double[] b)
    {
        var c = new double[m * n];
        blas.Gemm(transA, transB, m, n, k, 1, a, transA ? m : k, b, transB ? k : n, 0, c, n);
        return c;
    }

    /// <summary>op(A)·x for A stored rows×cols.</summary>
    public static double[] MatVec(IBlas blas, bool trans, int rows, int cols, double[] a, double[] x)
    {
        var y = new double[trans ? cols : rows];
        blas.Gemv(trans, rows, cols, 1, a, cols, x, 0, y);
        return y;
    }

    /// <summary>
    /// (A·x, A'·z) for A rows×cols in one pass over A: the compiled plan's fused row pass (blocks of rows on all
    /// threads, each row read once while it is in cache), for when a program needs both products.
    /// </summary>
    public static (double[] Ax, double[] Atz) MatVecBoth(double[] a, int rows, int cols, double[] x, double[] z)
    {
        var ax = new double[rows];
        return (ax, RowPass(a, rows, cols, x, ax, z, null));
    }

    /// <summary>
    /// The compiled plan's fused row pass: u = X·w, then <paramref name="local"/>(lo, hi) fills r[lo..hi) from u (and
    /// whatever else it reads; null: r is given), then g = X'·r, over blocks of rows on all threads, each block of X read
    /// once while it is in cache. X is rows×cols; u and r have rows entries, g (returned) cols.
    /// </summary>
    public static double[] RowPass(double[] x, int rows, int cols, double[] w, double[] u, double[] r, Action<int, int>? local) =>
        RowPass(x, rows, cols, w, u, r, local, null, out _);

    /// <summary>
    /// The row pass, and besides <paramref name="sum"/>(lo, hi) added up over the blocks after their local step (a sum
    /// over the rows of something of u, such as the loss itself): in block order within each thread, then the threads'
    /// totals in order, so the same inputs give the same total.
    /// </summary>
    public static unsafe double[] RowPass(double[] x, int rows, int cols, double[] w, double[] u, double[] r, Action<int, int>? local,
        Func<int, int, double>? sum, out double total)
    {
        int threads = Math.Max(1, Math.Min(Environment.ProcessorCount, rows / 64));
        int block = Math.Clamp(32768 / Math.Max(1, cols), 8, 4096);
        var partials = new double[threads][];
        var sums = new double[threads];
        void Range(int t)
        {
            int lo = (int)((long)rows * t / threads), hi = (int)((long)rows * (t + 1) / threads);
            var acc = partials[t] = new double[cols];
            double s = 0;
            fixed (double* px = x, pw = w, pu = u, pr = r, pacc = acc)
                for (int b0 = lo; b0 < hi; b0 += block)
                {
                    int b1 = Math.Min(hi, b0 + block);
                    Numerics.FusedRowPass.Forward(px, pw, pu, b0, b1, cols, 1.0);
                    local?.Invoke(b0, b1);
                    if (sum is not null) s += sum(b0, b1);
                    Numerics.FusedRowPass.Backward(px, pr, pacc, b0, b1, cols);
                }
            sums[t] = s;
        }
        if (threads == 1) Range(0);
        else WorkerTeam.Shared.Run(threads, Range);
        total = 0;
        foreach (var s in sums) total += s;
        var g = partials[0];
        for (int t = 1; t < threads; t++) System.Numerics.Tensors.TensorPrimitives.Add(g, partials[t], g);
        return g;
    }

    /// <summary>The outer product a·b', a.Length×b.Length.</summary>
    public static double[] Outer(double[] a, double[] b)
    {
        var r = new double[a.Length * b.Length];
        for (int i = 0, k = 0; i < a.Length; i++)
            for (int j = 0; j < b.Length; j++) r[k++] = a[i] * b[j];
        return r;
    }

    /// <summary>diag(v)·B for B m×n.</summary>
    public static double[] RowScale(double[] v, double[] b, int m, int n)
    {
        var r = new double[m * n];
        for (int i = 0, k = 0; i < m; i++)
            for (int j = 0; j < n; j++, k++) r[k] = v[i] * b[k];
        return r;
    }

    /// <summary>A·diag(u) for A m×n.</summary>
    public static double[] ColScale(double[] a, double[] u, int m, int n)
    {
        var r = new double[m * n];
        for (int i = 0, k = 0; i < m; i++)
            for (int j = 0; j < n; j++, k++) r[k] = a[k] * u[j];
        return r;
    }

    /// <summary>inv(op(A))·B for A n×n and B n×nrhs, by an LU solve (no inverse formed).</summary>
    public static double[] Solve(IBlas blas, double[] a, bool transA, int n, double[] b, int nrhs)
    {
        var lu = transA ? Transposed(a, n, n) : (double[])a.Clone();
        var ipiv = new int[n];
        if (!blas.Getrf(n, lu, ipiv)) throw new ArithmeticException("inv of a singular matrix");
        var x = (double[])b.Clone();
        blas.Getrs(n, nrhs, lu, ipiv, x);
        return x;
    }

    /// <summary>B·inv(op(A)) for B m×n and A n×n: the transpose of inv(op(A))'·B'.</summary>
    public static double[] SolveRight(IBlas blas, double[] b, int m, double[] a, bool transA, int n) =>
        m == 1 ? Solve(blas, a, !transA, n, b, 1) : Transposed(Solve(blas, a, !transA, n, Transposed(b, m, n), m), n, m);

    /// <summary>s·a, a new array.</summary>
    public static double[] Scaled(double s, double[] a)
    {
        var r = new double[a.Length];
        for (int i = 0; i < a.Length; i++) r[i] = s * a[i];
        return r;
    }

    /// <summary>a .* b, a new array.</summary>
    public static double[] Hadamard(double[] a, double[] b)
    {
        var r = new double[a.Length];
        for (int i = 0; i < a.Length; i++) r[i] = a[i] * b[i];
        return r;
    }

    /// <summary>a ← s·a, returned.</summary>
    public static double[] Scale(double[] a, double s)
    {
        for (int i = 0; i < a.Length; i++) a[i] *= s;
        return a;
    }

    /// <summary>a + b, a new array.</summary>
    public static double[] Added(double[] a, double[] b)
    {
        var r = new double[a.Length];
        System.Numerics.Tensors.TensorPrimitives.Add(a, b, r);
        return r;
    }

    /// <summary>a ← a + b, returned.</summary>
    public static double[] AddTo(double[] a, double[] b)
    {
        for (int i = 0; i < a.Length; i++) a[i] += b[i];
        return a;
    }

    // ----- the derivative check and the random point -----

    /// <summary>The entries of a value.</summary>
    public static double[] Flat(double v) => [v];

    /// <summary>The entries of a value.</summary>
    public static double[] Flat(Tensor t) => t.Data;

    /// <summary>x + h·d for a scalar x: a point along the check's direction.</summary>
    public static double Shifted(double x, double[] direction, double h) => x + h * direction[0];

    /// <summary>x + h·d, entry by entry: a point along the check's direction, of the shape of <paramref name="x"/>.</summary>
    public static Tensor Shifted(Tensor x, double[] direction, double h)
    {
        var d = new double[x.Length];
        for (int i = 0; i < d.Length; i++) d[i] = x.Data[i] + h * direction[i];
        return new Tensor(x.Kind, x.Rows, x.Cols, d);
    }

    /// <summary>A standard normal direction of <paramref name="length"/> entries (symmetric when asked, for an n×n).</summary>
    public static double[] Direction(Random rng, int length, bool symmetric)
    {
        var d = new double[length];
        for (int i = 0; i < length; i++) d[i] = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        if (symmetric)
        {
            int n = (int)Math.Round(Math.Sqrt(length));
            for (int i = 0; i < n; i++)
                for (int j = 0; j < i; j++) d[i * n + j] = d[j * n + i] = (d[i * n + j] + d[j * n + i]) / 2;
        }
        return d;
    }

    /// <summary>
    /// The relative error of a derivative against central differences in <paramref name="direction"/>: the gradient's
    /// inner product with it, the Jacobian times it, the Hessian's quadratic form (<paramref name="value"/> being the
    /// value at the point, <paramref name="plus"/>/<paramref name="minus"/> at ±h along the direction).
    /// </summary>
    public static double CheckError(string kind, double[] derivative, double[] direction, double[] value, double[] plus, double[] minus, double h)
    {
        int n = direction.Length;
        double[] predicted, measured;
        if (kind == "hessian")
        {
            double q = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) q += direction[i] * derivative[i * n + j] * direction[j];
            predicted = [q];
            measured = [(plus[0] - 2 * value[0] + minus[0]) / (h * h)];
        }
        else
        {
            int rows = derivative.Length / n;
            predicted = new double[rows];
            for (int i = 0; i < rows; i++)
            {
                double s = 0;
                for (int j = 0; j < n; j++) s += derivative[i * n + j] * direction[j];
                predicted[i] = s;
            }
            measured = new double[plus.Length];
            for (int i = 0; i < plus.Length; i++) measured[i] = (plus[i] - minus[i]) / (2 * h);
        }
        double scale = 1, worst = 0;
        foreach (var v in predicted) scale = Math.Max(scale, Math.Abs(v));
        foreach (var v in measured) scale = Math.Max(scale, Math.Abs(v));
        for (int i = 0; i < Math.Max(predicted.Length, measured.Length); i++)
            worst = Math.Max(worst, Math.Abs(predicted[Math.Min(i, predicted.Length - 1)] - measured[Math.Min(i, measured.Length - 1)]));
        return double.IsNaN(worst) ? double.PositiveInfinity : worst / scale;
    }

    /// <summary>Uniform entries in [lo, hi).</summary>
    public static Tensor Uniform(Random rng, ShapeKind kind, int rows, int cols, double lo, double hi)
    {
        var d = new double[rows * cols];
        for (int i = 0; i < d.Length; i++) d[i] = lo + (hi - lo) * rng.NextDouble();
        return new Tensor(kind, rows, cols, d);
    }

    /// <summary>B·B'/n + I for a uniform B: symmetric positive definite.</summary>
    public static Tensor Spd(Random rng, int n)
    {
        var b = Uniform(rng, ShapeKind.Matrix, n, n, -1, 1).Data;
        var r = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++) s += b[i * n + k] * b[j * n + k];
                r[i * n + j] = s / n + (i == j ? 1 : 0);
            }
        return new Tensor(ShapeKind.Matrix, n, n, r);
    }

    /// <summary>(B + B')/2 for a uniform B.</summary>
    public static Tensor Symmetric(Random rng, int n)
    {
        var b = Uniform(rng, ShapeKind.Matrix, n, n, -1, 1).Data;
        var r = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) r[i * n + j] = (b[i * n + j] + b[j * n + i]) / 2;
        return new Tensor(ShapeKind.Matrix, n, n, r);
    }
}
