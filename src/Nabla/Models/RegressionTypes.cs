using System.Globalization;

namespace Nabla.Models;

/// <summary>How the least-squares problem is solved.</summary>
public enum Solver
{
    /// <summary>Normal equations when X'X is well conditioned; the QR/SVD route when it is not and the rows are in memory.</summary>
    Auto,
    /// <summary>X'X and X'y in one pass, Cholesky solve; dependent columns are skipped and the minimum-norm solution recovered.</summary>
    Normal,
    /// <summary>Householder QR of the design (rows in memory); an SVD of R where it is rank deficient.</summary>
    Qr,
    /// <summary>Householder QR, then the SVD of R: the pseudo-inverse solution.</summary>
    Svd,
    /// <summary>L-BFGS on the gradient of norm2(X*w-y)^2 that Nabla derives itself.</summary>
    Gd,
}

/// <summary>Options of <see cref="LinearRegression.Fit(double[], int, int, double[], RegressionOptions?)"/>.</summary>
public sealed record RegressionOptions
{
    /// <summary>Fit an intercept (a leading column of ones, named "(intercept)").</summary>
    public bool Intercept { get; init; } = true;

    /// <summary>Ridge penalty λ ≥ 0 on the feature coefficients (the intercept is not penalised).</summary>
    public double Ridge { get; init; }

    /// <summary>How the least-squares problem is solved (<see cref="Solver.Auto"/> unless asked).</summary>
    public Solver Solver { get; init; } = Solver.Auto;

    /// <summary>Feature names (x1, x2, … when absent).</summary>
    public IReadOnlyList<string>? FeatureNames { get; init; }

    /// <summary>The target's name, for messages ("y" when absent).</summary>
    public string? TargetName { get; init; }

    /// <summary>The intercept's name in the table: "(intercept)", or "Intercept" (statsmodels' name) for formula fits.</summary>
    public string InterceptName { get; init; } = "(intercept)";

    /// <summary>The solver a name stands for (auto, normal, qr, svd, gd or lbfgs, any case); throws for any other.</summary>
    public static Solver ParseSolver(string s) => s.ToLowerInvariant() switch
    {
        "auto" => Solver.Auto,
        "normal" => Solver.Normal,
        "qr" => Solver.Qr,
        "svd" => Solver.Svd,
        "gd" or "lbfgs" => Solver.Gd,
        _ => throw new ArgumentException($"unknown solver '{s}': use auto, normal, qr, svd or gd"),
    };
}

/// <summary>One row of the coefficient table: estimate, standard error, t, two-sided p and the 95% interval.</summary>
public sealed record CoefficientRow(string Name, double Estimate, double StdError, double T, double P, double Lower, double Upper);

/// <summary>A linear dependency among the design's columns: <c>Column = Σ coefficient·term</c>.</summary>
public sealed record Dependency(string Column, IReadOnlyList<(string Name, double Coefficient)> Terms)
{
    /// <summary>The relation as text, e.g. <c>x3 = 2*x1 - x2</c>.</summary>
    public string Text
    {
        get
        {
            if (Terms.Count == 0) return $"{Column} = 0";
            var sb = new System.Text.StringBuilder($"{Column} = ");
            for (int i = 0; i < Terms.Count; i++)
            {
                var (name, c) = Terms[i];
                string mag = Math.Abs(c).ToString("G6", CultureInfo.InvariantCulture);
                if (i == 0) sb.Append(c < 0 ? "-" : "");
                else sb.Append(c < 0 ? " - " : " + ");
                sb.Append(mag == "1" ? name : $"{mag}*{name}");
            }
            return sb.ToString();
        }
    }

    /// <summary>The relation as text (<see cref="Text"/>).</summary>
    public override string ToString() => Text;
}

/// <summary>A fitted linear model and its statsmodels-style summary.</summary>
public sealed record RegressionResult
{
    /// <summary>Feature coefficients, in feature order (the intercept is separate).</summary>
    public required double[] Coefficients { get; init; }

    /// <summary>The intercept (0 when none was fitted).</summary>
    public required double Intercept { get; init; }

    /// <summary>Whether an intercept was fitted.</summary>
    public required bool HasIntercept { get; init; }
    /// <summary>The features' names, in feature order.</summary>
    public required IReadOnlyList<string> FeatureNames { get; init; }

    /// <summary>One row per design column: "(intercept)" first when fitted, then the features.</summary>
    public required IReadOnlyList<CoefficientRow> Table { get; init; }

    /// <summary>The number of rows fitted.</summary>
    public required long N { get; init; }

    /// <summary>Features (excluding the intercept).</summary>
    public required int D { get; init; }

    /// <summary>Rank of the design (the intercept column included).</summary>
    public required int Rank { get; init; }

    /// <summary>Condition number of the design as statsmodels reports it: √(λmax/λmin) of D'D (∞ when singular).</summary>
    public required double ConditionNumber { get; init; }

    /// <summary>R²: 1 - RSS/TSS, the sum of squares about the mean when the model has a constant, about zero otherwise.</summary>
    public required double RSquared { get; init; }
    /// <summary>R² adjusted for the model's degrees of freedom.</summary>
    public required double AdjustedRSquared { get; init; }
    /// <summary>The F statistic of the model against the constant alone (NaN for ridge, or with no feature but the constant).</summary>
    public required double FStatistic { get; init; }
    /// <summary>The upper-tail p-value of <see cref="FStatistic"/>.</summary>
    public required double FPValue { get; init; }
    /// <summary>The residual standard error √(RSS/DfResid).</summary>
    public required double ResidualStdError { get; init; }
    /// <summary>The residual sum of squares.</summary>
    public required double ResidualSumOfSquares { get; init; }
    /// <summary>Model degrees of freedom: the rank, less one for a constant.</summary>
    public required double DfModel { get; init; }
    /// <summary>Residual degrees of freedom: rows less the rank.</summary>
    public required double DfResid { get; init; }
    /// <summary>The ridge penalty λ the fit used (0 for none).</summary>
    public required double Ridge { get; init; }

    /// <summary>The solver that produced the coefficients ("normal", "qr", "svd", "gd", "ridge").</summary>
    public required string Solver { get; init; }

    /// <summary>The linear dependencies found among the design's columns (empty when it has full rank).</summary>
    public required IReadOnlyList<Dependency> Dependencies { get; init; }
    /// <summary>What the reader should know about the fit: singular or ill-conditioned designs, no residual degrees of freedom, ridge.</summary>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>The unscaled covariance (D'WD)⁻¹ of the design's columns (intercept first), p×p; null where there is none (ridge, gd).</summary>
    internal double[]? Bread { get; init; }

    /// <summary>How the standard errors were computed: "nonrobust", "HC0"…"HC3", or "cluster".</summary>
    public string Covariance { get; init; } = "nonrobust";

    /// <summary>For cluster-robust errors: the column and the number of clusters.</summary>
    public (string Column, int Groups)? Clusters { get; init; }

    /// <summary>Rows left out for missing values (formula fits).</summary>
    public int Dropped { get; init; }

    /// <summary>The formula fitted, when the model came from one.</summary>
    public string? Formula { get; init; }

    /// <summary>The column of weights (weighted least squares), or null.</summary>
    public string? WeightsColumn { get; init; }

    /// <summary>The test statistic of the table: "t" (classical), "z" (robust: the normal distribution, as statsmodels uses).</summary>
    public string Statistic => Covariance == "nonrobust" ? "t" : "z";

    /// <summary>The prediction for one row of features.</summary>
    public double Predict(ReadOnlySpan<double> features)
    {
        double s = Intercept;
        for (int j = 0; j < Coefficients.Length; j++) s += Coefficients[j] * features[j];
        return s;
    }
}
