using System.Numerics;

namespace Nabla.LinearAlgebra;

/// <summary>
/// The rank-revealing route for least squares on data held in memory: Householder QR of [D, y]
/// (LAPACK dgeqrf applied to y as well), then a one-sided Jacobi SVD of the small triangle R
/// (the R-SVD, as dgesvd does for tall matrices). Backward stable: no normal equations, no squared condition.
/// </summary>
public static class Orthogonal
{
    /// <summary>The QR of a column-major n×p design with y appended: R (p×p row-major, zero rows past n), Q'y (p) and the residual tail ‖(Q'y)[p..]‖².</summary>
    public static (double[] R, double[] Qty, double Tail) QrWithTarget(double[][] columns, double[] y)
    {
        int p = columns.Length, n = y.Length;
        var a = new double[p + 1][];
        for (int j = 0; j < p; j++) a[j] = (double[])columns[j].Clone();
        a[p] = (double[])y.Clone();
        int steps = Math.Min(n, p);
        for (int k = 0; k < steps; k++)
        {
            var v = a[k];
            double norm = Math.Sqrt(Dot(v.AsSpan(k), v.AsSpan(k)));
            if (norm == 0) continue;
            double alpha = v[k] > 0 ? -norm : norm;
            v[k] -= alpha;               // v = x - alpha e1, stored in place
            double vtv = Dot(v.AsSpan(k), v.AsSpan(k));
            int kk = k;
            void Reflect(int j)
            {
                var c = a[j].AsSpan(kk);
                double s = 2 * Dot(v.AsSpan(kk), c) / vtv;
                Axpy(-s, v.AsSpan(kk), c);
            }
            if ((long)(n - k) * (p - k) > 1 << 16) Parallel.For(k + 1, p + 1, Reflect);
            else for (int j = k + 1; j <= p; j++) Reflect(j);
            v[k] = alpha;
            Array.Clear(v, k + 1, n - k - 1);
        }
        var r = new double[p * p];
        for (int i = 0; i < steps; i++)
            for (int j = i; j < p; j++) r[i * p + j] = a[j][i];
        var qty = new double[p];
        for (int i = 0; i < steps; i++) qty[i] = a[p][i];
        double tail = n > p ? Dot(a[p].AsSpan(p), a[p].AsSpan(p)) : 0;
        return (r, qty, tail);
    }

    /// <summary>
    /// One-sided Jacobi SVD of a square p×p row-major matrix: A = U Σ V'. Returns U and V column-major
    /// by column arrays, Σ sorted descending.
    /// </summary>
    public static (double[][] U, double[] S, double[][] V) Svd(double[] a, int p)
    {
        var columns = new double[p][];
        for (int j = 0; j < p; j++)
        {
            columns[j] = new double[p];
            for (int i = 0; i < p; i++) columns[j][i] = a[i * p + j];
        }
        return SvdOfColumns(columns);
    }

    /// <summary>
    /// One-sided Jacobi SVD of an m×k matrix given by its k columns (overwritten): A = U Σ V' with U's k columns of
    /// length m (a column of a zero singular value is left unnormalised), Σ descending, V k×k. For a wide regression
    /// the columns are the rows of the design, so the work is k² m, not the p³ of the p×p route.
    /// </summary>
    public static (double[][] U, double[] S, double[][] V) SvdOfColumns(double[][] columns)
    {
        int p = columns.Length;
        var u = columns;
        var v = new double[p][];
        for (int j = 0; j < p; j++)
        {
            v[j] = new double[p];
            v[j][j] = 1;
        }
        // Sweeps in round-robin order (the circle method): each round is p/2 disjoint pairs, rotated independently, so a
        // round is split over the cores when it is large and the result does not depend on how it was split.
        // The squared column norms are updated by each rotation (α' = α - tγ, β' = β + tγ) and refreshed each sweep.
        var norm2 = new double[p];
        int slots = p + (p & 1); // an odd count gets a dummy slot (its pairs are skipped)
        var ring = Enumerable.Range(0, slots).ToArray();
        var pairOff = new double[slots / 2];
        // converged when every pair is orthogonal to m·ε relative (LAPACK's dgesvj: tighter is below rounding for the
        // columns of singular values near zero, which would then be rotated sweep after sweep)
        int m = columns.Length > 0 ? columns[0].Length : 1;
        double tol = Math.Max(1e-15, m * 2.220446049250313e-16), negligible = 0;
        bool parallel = (long)p * (columns.Length > 0 ? columns[0].Length + p : 0) >= 1 << 15;
        void Pair(int i, int j, int slot)
        {
            pairOff[slot] = 0;
            if (i >= p || j >= p) return;
            double alpha = norm2[i], beta = norm2[j];
            if (alpha <= negligible || beta <= negligible) return;
            double gamma = Dot(u[i], u[j]);
            if (gamma == 0 || Math.Abs(gamma) <= tol * Math.Sqrt(alpha * beta)) return;
            pairOff[slot] = Math.Abs(gamma) / Math.Sqrt(alpha * beta);
            double zeta = (beta - alpha) / (2 * gamma);
            double t = zeta == 0 ? 1 : Math.Sign(zeta) / (Math.Abs(zeta) + Math.Sqrt(1 + zeta * zeta));
            double c = 1 / Math.Sqrt(1 + t * t), s = c * t;
            Rotate(u[i], u[j], c, s);
            Rotate(v[i], v[j], c, s);
            norm2[i] = alpha - t * gamma;
            norm2[j] = beta + t * gamma;
        }
        for (int sweep = 0; sweep < 60; sweep++)
        {
            for (int j = 0; j < p; j++) norm2[j] = Dot(u[j], u[j]);
            // A column shorter than √m·ε of the longest is rounding noise: rotating it against the others only stirs the
            // noise (its relative orthogonality never settles), and leaving it out moves no singular value by more than
            // its length, below any rank tolerance (σ₁·max(m, k)·ε).
            negligible = norm2.Max() * m * 2.220446049250313e-16 * 2.220446049250313e-16;
            double off = 0;
            for (int round = 0; round < slots - 1; round++)
            {
                int half = slots / 2;
                if (parallel && half > 1) Parallel.For(0, half, k => Pair(Math.Min(ring[k], ring[slots - 1 - k]), Math.Max(ring[k], ring[slots - 1 - k]), k));
                else for (int k = 0; k < half; k++) Pair(Math.Min(ring[k], ring[slots - 1 - k]), Math.Max(ring[k], ring[slots - 1 - k]), k);
                for (int k = 0; k < half; k++) off = Math.Max(off, pairOff[k]);
                // rotate every slot but the first one place
                int last = ring[slots - 1];
                for (int k = slots - 1; k > 1; k--) ring[k] = ring[k - 1];
                if (slots > 1) ring[1] = last;
            }
            if (off <= tol) break;
        }
        var sigma = new double[p];
        for (int j = 0; j < p; j++) sigma[j] = Math.Sqrt(Dot(u[j], u[j]));
        var order = Enumerable.Range(0, p).OrderByDescending(j => sigma[j]).ToArray();
        var us = new double[p][];
        var vs = new double[p][];
        var ss = new double[p];
        for (int k = 0; k < p; k++)
        {
            int j = order[k];
            ss[k] = sigma[j];
            vs[k] = v[j];
            us[k] = u[j];
            if (sigma[j] > 0) for (int i = 0; i < us[k].Length; i++) us[k][i] /= sigma[j];
        }
        return (us, ss, vs);
    }

    /// <summary>
    /// The singular values of a square p×p row-major matrix, descending: one-sided Jacobi without the
    /// vectors, the squared column norms updated by each rotation (α' = α - tγ, β' = β + tγ) and refreshed each sweep.
    /// </summary>
    public static double[] SingularValues(double[] a, int p)
    {
        var u = new double[p][];
        for (int j = 0; j < p; j++)
        {
            u[j] = new double[p];
            for (int i = 0; i < p; i++) u[j][i] = a[i * p + j];
        }
        var norm2 = new double[p];
        for (int sweep = 0; sweep < 60; sweep++)
        {
            for (int j = 0; j < p; j++) norm2[j] = Dot(u[j], u[j]);
            double off = 0;
            for (int i = 0; i < p - 1; i++)
                for (int j = i + 1; j < p; j++)
                {
                    double alpha = norm2[i], beta = norm2[j], gamma = Dot(u[i], u[j]);
                    if (gamma == 0 || Math.Abs(gamma) <= 1e-15 * Math.Sqrt(alpha * beta)) continue;
                    off = Math.Max(off, Math.Abs(gamma) / Math.Sqrt(alpha * beta));
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = zeta == 0 ? 1 : Math.Sign(zeta) / (Math.Abs(zeta) + Math.Sqrt(1 + zeta * zeta));
                    double c = 1 / Math.Sqrt(1 + t * t), s = c * t;
                    Rotate(u[i], u[j], c, s);
                    norm2[i] = alpha - t * gamma;
                    norm2[j] = beta + t * gamma;
                }
            if (off <= 1e-15) break;
        }
        var sigma = new double[p];
        for (int j = 0; j < p; j++) sigma[j] = Math.Sqrt(Dot(u[j], u[j]));
        return [.. sigma.OrderByDescending(x => x)];
    }

    private static void Rotate(double[] x, double[] y, double c, double s)
    {
        int n = x.Length, k = 0, w = Vector<double>.Count;
        var vc = new Vector<double>(c);
        var vs = new Vector<double>(s);
        for (; k + w <= n; k += w)
        {
            var a = new Vector<double>(x, k);
            var b = new Vector<double>(y, k);
            (vc * a - vs * b).CopyTo(x, k);
            (vs * a + vc * b).CopyTo(y, k);
        }
        for (; k < n; k++)
        {
            double a = x[k], b = y[k];
            x[k] = c * a - s * b;
            y[k] = s * a + c * b;
        }
    }

    /// <summary>An orthonormal basis of the complement of the span of the orthonormal <paramref name="basis"/> in R^n.</summary>
    public static List<double[]> Complement(IReadOnlyList<double[]> basis, int n)
    {
        var all = basis.ToList();
        var result = new List<double[]>();
        for (int e = 0; e < n && all.Count < n; e++)
        {
            var w = new double[n];
            w[e] = 1;
            for (int pass = 0; pass < 2; pass++) // twice is enough (Kahan)
                foreach (var b in all) Axpy(-Dot(w, b), b, w);
            double norm = Math.Sqrt(Dot(w, w));
            if (norm < 1e-8) continue;
            for (int i = 0; i < n; i++) w[i] /= norm;
            all.Add(w);
            result.Add(w);
        }
        return result;
    }

    /// <summary>x'·y, vectorised.</summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int n = x.Length, i = 0;
        var acc = Vector<double>.Zero;
        var acc2 = Vector<double>.Zero;
        int w = Vector<double>.Count;
        for (; i + 2 * w <= n; i += 2 * w)
        {
            acc += new Vector<double>(x[i..]) * new Vector<double>(y[i..]);
            acc2 += new Vector<double>(x[(i + w)..]) * new Vector<double>(y[(i + w)..]);
        }
        double s = Vector.Sum(acc + acc2);
        for (; i < n; i++) s += x[i] * y[i];
        return s;
    }

    /// <summary>y += a·x, vectorised.</summary>
    public static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        int n = x.Length, i = 0, w = Vector<double>.Count;
        var va = new Vector<double>(a);
        for (; i + w <= n; i += w) (new Vector<double>(y[i..]) + va * new Vector<double>(x[i..])).CopyTo(y[i..]);
        for (; i < n; i++) y[i] += a * x[i];
    }
}
