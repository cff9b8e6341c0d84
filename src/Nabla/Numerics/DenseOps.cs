using Nabla.Diagnostics;
using Nabla.Expressions;

namespace Nabla.Numerics;

/// <summary>Reference dense kernels: products, LU with partial pivoting, determinant, inverse.</summary>
public static class DenseOps
{
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
