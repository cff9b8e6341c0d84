using Nabla.Diagnostics;
using Nabla.Expressions;

namespace Nabla.LinearAlgebra;

/// <summary>Reference dense kernels: products, LU with partial pivoting, determinant, inverse.</summary>
public static class DenseOps
{
    /// <summary>The product a·b; a scalar on either side scales the other.</summary>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        if (a.Kind == ShapeKind.Scalar) return Scale(b, a.Data[0]);
        if (b.Kind == ShapeKind.Scalar) return Scale(a, b.Data[0]);
        if (a.Cols != b.Rows) throw new InvalidOperationException($"matmul {a.Rows}x{a.Cols} by {b.Rows}x{b.Cols}");
        int m = a.Rows, k = a.Cols, n = b.Cols;
        var c = new double[m * n];
        var ad = a.Data; var bd = b.Data;
        for (int i = 0; i < m; i++)
        {
            int ci = i * n;
            for (int p = 0; p < k; p++)
            {
                double aip = ad[i * k + p];
                if (aip == 0) continue;
                int bp = p * n;
                for (int j = 0; j < n; j++) c[ci + j] += aip * bd[bp + j];
            }
        }
        var kind = (a.Kind, b.Kind) switch
        {
            (ShapeKind.Row, ShapeKind.Vector) => ShapeKind.Scalar,
            (ShapeKind.Row, _) => ShapeKind.Row,
            (_, ShapeKind.Vector) => ShapeKind.Vector,
            _ => ShapeKind.Matrix,
        };
        return new Tensor(kind, m, n, c);
    }

    /// <summary>Every entry of <paramref name="a"/> times <paramref name="s"/>, a new tensor.</summary>
    public static Tensor Scale(Tensor a, double s)
    {
        var d = new double[a.Length];
        for (int i = 0; i < d.Length; i++) d[i] = a.Data[i] * s;
        return a.Like(d);
    }

    /// <summary>LU factorisation with partial pivoting of a copy of <paramref name="a"/>; returns null if singular.</summary>
    public static (double[] lu, int[] piv, int sign)? Lu(Tensor a)
    {
        int n = a.Rows;
        var lu = (double[])a.Data.Clone();
        var piv = new int[n];
        int sign = 1;
        double scale = 0;
        foreach (var v in lu) scale = Math.Max(scale, Math.Abs(v));
        for (int i = 0; i < n; i++) piv[i] = i;
        for (int k = 0; k < n; k++)
        {
            int p = k;
            double best = Math.Abs(lu[k * n + k]);
            for (int i = k + 1; i < n; i++)
            {
                double v = Math.Abs(lu[i * n + k]);
                if (v > best) { best = v; p = i; }
            }
            if (best <= scale * n * 1e-15 || best == 0) return null;
            if (p != k)
            {
                for (int j = 0; j < n; j++) (lu[k * n + j], lu[p * n + j]) = (lu[p * n + j], lu[k * n + j]);
                (piv[k], piv[p]) = (piv[p], piv[k]);
                sign = -sign;
            }
            double pivot = lu[k * n + k];
            for (int i = k + 1; i < n; i++)
            {
                double f = lu[i * n + k] /= pivot;
                if (f == 0) continue;
                for (int j = k + 1; j < n; j++) lu[i * n + j] -= f * lu[k * n + j];
            }
        }
        return (lu, piv, sign);
    }

    /// <summary>The determinant of a square matrix by LU with partial pivoting (0 for a singular one).</summary>
    public static double Det(Tensor a)
    {
        var f = Lu(a);
        if (f is null) return 0;
        var (lu, _, sign) = f.Value;
        int n = a.Rows;
        double d = sign;
        for (int i = 0; i < n; i++) d *= lu[i * n + i];
        return d;
    }

    /// <summary>
    /// The adjugate adj(A) (the transposed cofactor matrix, det(A)*inv(A) where A is invertible), defined and
    /// computed for every square A: by LU where A is well conditioned, else from the SVD A = U Σ V' as
    /// det(U)det(V) · V diag(Π_{j≠i} σ_j) U', which holds at singular A (rank n-1 gives a rank-one adjugate).
    /// </summary>
    public static Tensor Adjugate(Tensor a)
    {
        int n = a.Rows;
        if (n == 1) return Tensor.Identity(1);
        if (Lu(a) is { } f && ReciprocalCondition(a, f.lu) > 1e-8)
        {
            var (lu, _, sign) = f;
            double det = sign;
            for (int i = 0; i < n; i++) det *= lu[i * n + i];
            return Scale(Inverse(a, "the matrix"), det);
        }
        var (u, sigma, v) = LinearAlgebra.Orthogonal.Svd(a.Data, n);
        CompleteBasis(u, sigma);
        // p_i = Π_{j≠i} σ_j, by prefix and suffix products (exact zeros stay exact).
        var pre = new double[n + 1];
        var suf = new double[n + 1];
        pre[0] = 1;
        suf[n] = 1;
        for (int i = 0; i < n; i++) pre[i + 1] = pre[i] * sigma[i];
        for (int i = n - 1; i >= 0; i--) suf[i] = suf[i + 1] * sigma[i];
        var um = new Tensor(ShapeKind.Matrix, n, n, new double[n * n]);
        var vm = new Tensor(ShapeKind.Matrix, n, n, new double[n * n]);
        for (int k = 0; k < n; k++)
            for (int i = 0; i < n; i++) { um[i, k] = u[k][i]; vm[i, k] = v[k][i]; }
        double s = Math.Sign(Det(um)) * Math.Sign(Det(vm));
        var adj = new double[n * n];
        for (int k = 0; k < n; k++)
        {
            double pk = s * pre[k] * suf[k + 1];
            if (pk == 0) continue;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) adj[i * n + j] += pk * v[k][i] * u[k][j];
        }
        return new Tensor(ShapeKind.Matrix, n, n, adj);
    }

    /// <summary>1/κ₁(A) estimated from the LU's pivots against the largest entry: small means nearly singular.</summary>
    private static double ReciprocalCondition(Tensor a, double[] lu)
    {
        int n = a.Rows;
        double big = 0, small = double.PositiveInfinity;
        foreach (var x in a.Data) big = Math.Max(big, Math.Abs(x));
        for (int i = 0; i < n; i++) small = Math.Min(small, Math.Abs(lu[i * n + i]));
        return big == 0 ? 0 : small / big;
    }

    /// <summary>Replaces the left singular vectors of zero singular values by an orthonormal completion of the others.</summary>
    private static void CompleteBasis(double[][] u, double[] sigma)
    {
        int n = u.Length;
        double tol = sigma.Length > 0 ? sigma[0] * n * 1e-15 : 0;
        for (int k = 0; k < n; k++)
        {
            if (sigma[k] > tol) continue;
            sigma[k] = 0;
            for (int e = 0; e < n; e++)
            {
                var w = new double[n];
                w[e] = 1;
                for (int j = 0; j < n; j++)
                {
                    if (j == k || (sigma[j] == 0 && j > k)) continue;
                    double d = 0;
                    for (int i = 0; i < n; i++) d += w[i] * u[j][i];
                    for (int i = 0; i < n; i++) w[i] -= d * u[j][i];
                }
                double norm = Math.Sqrt(w.Sum(t => t * t));
                if (norm < 0.5) continue;
                for (int i = 0; i < n; i++) w[i] /= norm;
                u[k] = w;
                break;
            }
        }
    }

    /// <summary>log|det A| and the sign of det A; throws domain_error if singular.</summary>
    public static (double logAbs, int sign) LogDet(Tensor a, string what)
    {
        var f = Lu(a) ?? throw Singular(what);
        var (lu, _, sign) = f;
        int n = a.Rows;
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            double d = lu[i * n + i];
            if (d < 0) sign = -sign;
            s += Math.Log(Math.Abs(d));
        }
        return (s, sign);
    }

    /// <summary>The inverse of a square matrix by LU with partial pivoting; a singular one is a domain error naming <paramref name="what"/>.</summary>
    public static Tensor Inverse(Tensor a, string what)
    {
        var f = Lu(a) ?? throw Singular(what);
        var (lu, piv, _) = f;
        int n = a.Rows;
        var inv = new double[n * n];
        var col = new double[n];
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < n; i++) col[i] = piv[i] == j ? 1 : 0;
            for (int i = 0; i < n; i++)
            {
                double s = col[i];
                for (int k = 0; k < i; k++) s -= lu[i * n + k] * col[k];
                col[i] = s;
            }
            for (int i = n - 1; i >= 0; i--)
            {
                double s = col[i];
                for (int k = i + 1; k < n; k++) s -= lu[i * n + k] * col[k];
                col[i] = s / lu[i * n + i];
            }
            for (int i = 0; i < n; i++) inv[i * n + j] = col[i];
        }
        return new Tensor(ShapeKind.Matrix, n, n, inv);
    }

    private static NablaException Singular(string what) =>
        new(ErrorCodes.DomainError, $"{what} is singular (or numerically singular) at the given values");
}
