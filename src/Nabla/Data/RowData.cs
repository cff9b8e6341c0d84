using Nabla.LinearAlgebra;

namespace Nabla.Data;

/// <summary>Rows held in memory: row-major X (n×d) and y.</summary>
internal sealed record RowData(double[] X, int N, int D, double[] Y)
{
    /// <summary>The design's columns: a ones column first when <paramref name="intercept"/>, then each feature.</summary>
    public double[][] DesignColumns(bool intercept)
    {
        int o = intercept ? 1 : 0;
        var cols = new double[D + o][];
        if (intercept) { cols[0] = new double[N]; Array.Fill(cols[0], 1.0); }
        for (int j = 0; j < D; j++) cols[j + o] = new double[N];
        for (int i = 0; i < N; i++)
            for (int j = 0; j < D; j++) cols[j + o][i] = X[i * D + j];
        return cols;
    }

    /// <summary>The sufficient statistics of the rows.</summary>
    public GramSums Sums()
    {
        var acc = new GramAccumulator(D);
        acc.Add(X, Y, N);
        return acc.Result();
    }

    /// <summary>Σ (y - ŷ)², computed from the rows (no cancellation), in parallel over row blocks.</summary>
    public double Rss(double[] w, bool intercept)
    {
        int o = intercept ? 1 : 0;
        double total = 0;
        object gate = new();
        int blocks = Math.Max(1, Math.Min(64, N / 4096));
        Parallel.For(0, blocks, b =>
        {
            int lo = (int)((long)N * b / blocks), hi = (int)((long)N * (b + 1) / blocks);
            double s = 0;
            var coef = w.AsSpan(o);
            for (int i = lo; i < hi; i++)
            {
                double r = Y[i] - (intercept ? w[0] : 0) - Orthogonal.Dot(X.AsSpan(i * D, D), coef);
                s += r * r;
            }
            lock (gate) total += s;
        });
        return total;
    }
}
