using Nabla.LinearAlgebra;
namespace Nabla.Models;

/// <summary>
/// Null-space bookkeeping: writing null vectors of the design as relations between named columns
/// (each dependent column in terms of earlier ones), the minimum-norm projection, and the pseudo-inverse
/// of a singular Gram matrix.
/// </summary>
internal static class Dependencies
{
    /// <summary>
    /// Reduced row echelon form of the null vectors with pivots chosen from the rightmost columns:
    /// each row then reads x_pivot = Σ -k_j x_j over earlier columns.
    /// </summary>
    public static List<Dependency> FromNullVectors(IReadOnlyList<double[]> nulls, IReadOnlyList<string> names, double[] rms)
    {
        int k = nulls.Count;
        if (k == 0) return [];
        int p = names.Count;
        var rows = nulls.Select(v => (double[])v.Clone()).ToArray();
        var pivotOf = new int[k];
        Array.Fill(pivotOf, -1);
        // work in scaled coordinates so that the pivot choice does not depend on the units of each column
        foreach (var r in rows) for (int j = 0; j < p; j++) r[j] *= rms[j];
        for (int c = p - 1; c >= 0; c--)
        {
            int best = -1;
            double bestAbs = 0;
            for (int r = 0; r < k; r++)
            {
                if (pivotOf[r] >= 0) continue;
                double rowMax = rows[r].Max(Math.Abs);
                double a = Math.Abs(rows[r][c]);
                if (a > 1e-8 * rowMax && a > bestAbs) { best = r; bestAbs = a; }
            }
            if (best < 0) continue;
            pivotOf[best] = c;
            double piv = rows[best][c];
            for (int j = 0; j < p; j++) rows[best][j] /= piv;
            for (int r = 0; r < k; r++)
            {
                if (r == best || rows[r][c] == 0) continue;
                double f = rows[r][c];
                for (int j = 0; j < p; j++) rows[r][j] -= f * rows[best][j];
                rows[r][c] = 0;
            }
            if (pivotOf.All(x => x >= 0)) break;
        }
        var result = new List<Dependency>();
        foreach (var r in Enumerable.Range(0, k).Where(r => pivotOf[r] >= 0).OrderBy(r => pivotOf[r]))
        {
            int c = pivotOf[r];
            var terms = new List<(string, double)>();
            for (int j = 0; j < p; j++)
            {
                if (j == c || Math.Abs(rows[r][j]) <= 1e-9) continue; // scaled: negligible against the column itself
                terms.Add((names[j], -rows[r][j] * rms[c] / (rms[j] == 0 ? 1 : rms[j])));
            }
            result.Add(new Dependency(names[c], terms));
        }
        return result;
    }

    /// <summary>An orthonormal basis of the span of <paramref name="vectors"/> (modified Gram-Schmidt, twice).</summary>
    public static List<double[]> Orthonormal(IReadOnlyList<double[]> vectors)
    {
        var basis = new List<double[]>();
        foreach (var v0 in vectors)
        {
            var v = (double[])v0.Clone();
            double n0 = Math.Sqrt(Orthogonal.Dot(v, v));
            for (int pass = 0; pass < 2; pass++)
                foreach (var b in basis) Orthogonal.Axpy(-Orthogonal.Dot(b, v), b, v);
            double n = Math.Sqrt(Orthogonal.Dot(v, v));
            if (n <= 1e-12 * n0 || n == 0) continue;
            for (int i = 0; i < v.Length; i++) v[i] /= n;
            basis.Add(v);
        }
        return basis;
    }

    /// <summary>Removes from <paramref name="w"/> its component in the null space: the minimum-norm solution among all with the same fit.</summary>
    public static double[] MinimumNorm(double[] w, IReadOnlyList<double[]> orthonormalNulls)
    {
        var r = (double[])w.Clone();
        foreach (var b in orthonormalNulls) Orthogonal.Axpy(-Orthogonal.Dot(b, r), b, r);
        return r;
    }

    /// <summary>pinv(G) for a symmetric PSD G whose null space is spanned by <paramref name="nulls"/>: (G + cNN')⁻¹ - NN'/c.</summary>
    public static double[] PseudoInverse(double[] g, int p, IReadOnlyList<double[]> nulls)
    {
        double c = 0;
        for (int i = 0; i < p; i++) c += g[i * p + i];
        c = c > 0 ? c / p : 1;
        var a = (double[])g.Clone();
        foreach (var v in nulls)
            for (int i = 0; i < p; i++)
                for (int j = 0; j < p; j++) a[i * p + j] += c * v[i] * v[j];
        var inv = Cholesky.Factor(a, p, 0).Inverse();
        foreach (var v in nulls)
            for (int i = 0; i < p; i++)
                for (int j = 0; j < p; j++) inv[i * p + j] -= v[i] * v[j] / c;
        return inv;
    }
}
