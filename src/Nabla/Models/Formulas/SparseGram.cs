using Nabla.Data;

namespace Nabla.Models.Formulas;

/// <summary>
/// X'X, X'y and the sums of a formula's design without forming its zeros: a categorical term's columns are a
/// one-hot group (one non-zero per row), so a row adds its dense block's outer product, the dense×hit products and
/// the hit×hit products — O((dense + groups)²) per row instead of O(columns²): for 10 numeric columns and three
/// 50-level factors, about 200 multiply-adds instead of 20,000. Dense columns are shifted by the first row (as
/// <see cref="GramAccumulator"/>) against cancellation; indicators are not shifted (that would fill them).
/// </summary>
internal static class SparseGram
{
    /// <summary>Whether the sparse sums pay: the groups hold enough columns that the dense sums would be mostly zeros (<paramref name="force"/>, for tests, decides instead).</summary>
    public static bool Pays(Design design, bool? force = null)
    {
        if (force is { } f) return f;
        var (_, groups) = design.Layout();
        return groups.Sum(g => g.Map.Count(c => c >= 0)) >= 8;
    }

    public static GramSums Sums(Design design)
    {
        var (dense, groups) = design.Layout();
        int n = design.N, k = design.Width, m = k + 2, one = k, yAt = k + 1;
        int nd = dense.Length, ng = groups.Length;
        // the dense part in augmented order: dense columns, the ones column, y
        var denseIdx = dense.Append(one).Append(yAt).ToArray();
        var shift = new double[m];
        {
            var dv = new double[nd]; var hc = new int[ng]; var hv = new double[ng];
            design.SparseRow(0, dense, groups, dv, hc, hv);
            for (int t = 0; t < nd; t++) shift[dense[t]] = dv[t];
            shift[yAt] = design.Y[0];
        }
        var total = new double[m * m];
        object gate = new();
        const int block = 4096;
        Parallel.For(0, (n + block - 1) / block, () => new double[m * m], (b, _, g) =>
        {
            var dv = new double[nd]; var hc = new int[ng]; var hv = new double[ng];
            var z = new double[nd + 2];
            int from = b * block, to = Math.Min(n, from + block);
            for (int i = from; i < to; i++)
            {
                design.SparseRow(i, dense, groups, dv, hc, hv);
                double sw = design.Weights is { } w ? Math.Sqrt(w[i]) : 1;
                for (int t = 0; t < nd; t++) z[t] = (dv[t] - shift[dense[t]]) * sw;
                z[nd] = sw;
                z[nd + 1] = (design.Y[i] - shift[yAt]) * sw;
                // dense × dense (denseIdx ascending, so the upper triangle is [a ≤ b])
                for (int a = 0; a < z.Length; a++)
                {
                    double za = z[a];
                    if (za == 0) continue;
                    int row = denseIdx[a] * m;
                    for (int c = a; c < z.Length; c++) g[row + denseIdx[c]] += za * z[c];
                }
                for (int h = 0; h < ng; h++)
                {
                    int col = hc[h];
                    if (col < 0) continue;
                    double v = hv[h] * sw;
                    // dense × hit
                    for (int a = 0; a < z.Length; a++)
                    {
                        int d = denseIdx[a];
                        if (d < col) g[d * m + col] += z[a] * v; else g[col * m + d] += z[a] * v;
                    }
                    // hit × hit (each pair once, itself included)
                    for (int h2 = h; h2 < ng; h2++)
                    {
                        int col2 = hc[h2];
                        if (col2 < 0) continue;
                        double v2 = hv[h2] * sw;
                        if (col <= col2) g[col * m + col2] += v * v2; else g[col2 * m + col] += v * v2;
                    }
                }
            }
            return g;
        }, g => { lock (gate) for (int i = 0; i < g.Length; i++) total[i] += g[i]; });

        // as GramAccumulator.Result: weighted means and centred cross-products of [features, y]
        double G(int i, int j) => i <= j ? total[i * m + j] : total[j * m + i];
        int Z(int j) => j < k ? j : yAt;
        double wsum = G(one, one);
        var ms = new double[k + 1];
        for (int j = 0; j <= k; j++) ms[j] = G(one, Z(j)) / wsum;
        var centred = new double[(k + 1) * (k + 1)];
        for (int i = 0; i <= k; i++)
            for (int j = i; j <= k; j++)
                centred[i * (k + 1) + j] = centred[j * (k + 1) + i] = G(Z(i), Z(j)) - wsum * ms[i] * ms[j];
        var means = new double[k + 1];
        for (int j = 0; j <= k; j++) means[j] = shift[Z(j)] + ms[j];
        return new GramSums(n, k, means, centred) { W = design.Weights is null ? n : wsum };
    }

    /// <summary>Σ w (y - ŷ)² from the sparse rows.</summary>
    public static double Rss(Design design, double[] beta)
    {
        var (dense, groups) = design.Layout();
        int n = design.N, off = design.Intercept ? 1 : 0, nd = dense.Length, ng = groups.Length;
        double total = 0;
        object gate = new();
        const int block = 4096;
        Parallel.For(0, (n + block - 1) / block, () => 0.0, (b, _, s) =>
        {
            var dv = new double[nd]; var hc = new int[ng]; var hv = new double[ng];
            int from = b * block, to = Math.Min(n, from + block);
            for (int i = from; i < to; i++)
            {
                design.SparseRow(i, dense, groups, dv, hc, hv);
                double yhat = off == 1 ? beta[0] : 0;
                for (int t = 0; t < nd; t++) yhat += dv[t] * beta[dense[t] + off];
                for (int h = 0; h < ng; h++) if (hc[h] >= 0) yhat += hv[h] * beta[hc[h] + off];
                double e = design.Y[i] - yhat;
                s += (design.Weights is { } w ? w[i] : 1) * e * e;
            }
            return s;
        }, s => { lock (gate) total += s; });
        return total;
    }
}
