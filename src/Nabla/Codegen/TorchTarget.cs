using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.LinearAlgebra;

namespace Nabla.Codegen;

/// <summary>
/// PyTorch: float64 tensors, autograd off (<c>torch.no_grad</c>); the NumPy module's layout with torch's functions
/// (<c>torch.sigmoid</c>, <c>torch.logaddexp</c> for softplus, <c>torch.linalg.slogdet</c>, <c>torch.linalg.solve</c>).
/// </summary>
public sealed class TorchTarget : NumPyTarget
{
    /// <summary>"torch".</summary>
    public override string Name => "torch";
    /// <summary>"torch": the functions come from torch instead of NumPy.</summary>
    protected override string Np => "torch";

    /// <summary>Imports of NumPy (for the random point) and torch.</summary>
    protected override string Header => "import numpy as np\nimport torch";

    /// <summary>The helper definitions a module may call, on float64 tensors.</summary>
    protected override string Helpers => """
        def _t(x):
            return torch.as_tensor(x, dtype=torch.float64)


        def _n(x):
            return x.numpy() if isinstance(x, torch.Tensor) else np.asarray(x, dtype=np.float64)


        def _expm_frechet(A, E):
            # L(A, E) is the upper right block of expm([A E; 0 A]) (Mathias 1996).
            n = A.shape[0]
            M = torch.zeros((2 * n, 2 * n), dtype=torch.float64)
            M[:n, :n] = A
            M[:n, n:] = E
            M[n:, n:] = A
            return torch.linalg.matrix_exp(M)[:n, n:]


        def _sqrtm(A):
            # torch has no matrix square root: the scaled Denman-Beavers iteration, as Nabla computes it.
            n = A.shape[0]
            I = torch.eye(n, dtype=torch.float64)
            M, X = A.clone(), A.clone()
            for k in range(100):
                Mi = torch.linalg.inv(M)
                mu = float(torch.exp(-torch.linalg.slogdet(M)[1] / (2 * n))) if k < 6 else 1.0
                X = 0.5 * mu * X @ (I + Mi / mu ** 2)
                M = 0.5 * (I + (mu ** 2 * M + Mi / mu ** 2) / 2)
                if float(torch.max(torch.abs(M - I))) <= 1e-15 * n:
                    break
            return X


        def _logm(A):
            # torch has no matrix logarithm: inverse scaling and squaring with the [8/8] Pade approximant, as Nabla.
            n = A.shape[0]
            I = torch.eye(n, dtype=torch.float64)
            X, s = A, 0
            while float(torch.max(torch.sum(torch.abs(X - I), dim=0))) > 0.25:
                X, s = _sqrtm(X), s + 1
            Y = X - I
            nodes, weights = np.polynomial.legendre.leggauss(8)
            R = sum(float(w) / 2 * torch.linalg.solve(I + float(x + 1) / 2 * Y, Y) for x, w in zip(nodes, weights))
            return R * 2.0 ** s


        def _frechet(f, A, E):
            # L_f(A, E) is the upper right block of f([A E; 0 A]), E scaled to A's norm (L is linear in E).
            n = A.shape[0]
            na, ne = float(torch.max(torch.sum(torch.abs(A), dim=0))), float(torch.max(torch.sum(torch.abs(E), dim=0)))
            if ne == 0:
                return torch.zeros_like(A)
            t = 2.0 ** round(np.log2(na / ne)) if na > 0 else 1.0
            M = torch.zeros((2 * n, 2 * n), dtype=torch.float64)
            M[:n, :n] = A
            M[:n, n:] = t * E
            M[n:, n:] = A
            return f(M)[:n, n:] / t


        def _softmax(x):
            return torch.softmax(x, dim=0)


        def _logsumexp(x):
            return torch.logsumexp(x, dim=0)


        def _logdet(A):
            sign, value = torch.linalg.slogdet(A)
            if sign <= 0:
                raise ValueError("logdet needs a matrix with a positive determinant")
            return value


        def _adj(A):
            # The adjugate from the SVD A = U S V': det(U) det(V) V adj(S) U', which holds at singular A too.
            n = A.shape[0]
            if n == 1:
                return torch.ones((1, 1), dtype=torch.float64)
            U, s, Vh = torch.linalg.svd(A)
            p = torch.stack([torch.prod(torch.cat([s[:i], s[i + 1:]])) for i in range(n)])
            return torch.linalg.det(U) * torch.linalg.det(Vh) * (Vh.T * p) @ U.T
        """;

    /// <summary>@torch.no_grad(): the module computes derivatives itself, autograd is off.</summary>
    protected override string Decorator => "@torch.no_grad()";

    /// <summary>Converts a parameter to a float64 tensor.</summary>
    protected override string Convert(string name, Var v) => $"{name} = _t({name})";

    /// <summary>torch.eye(n) in float64.</summary>
    protected override string EyeCode(string n) => $"torch.eye({n}, dtype=torch.float64)";

    /// <summary>torch.full of the fill's size with the scalar, in float64.</summary>
    protected override (string Code, int Level) FillCode(Fill f)
    {
        string size = f.Shape.Kind == ShapeKind.Matrix ? $"({DimName(f.Shape.Rows!.Value)}, {DimName(f.Shape.Cols!.Value)})"
            : $"({DimName((f.Shape.Rows ?? f.Shape.Cols)!.Value)},)";
        return ($"torch.full({size}, float({Code(f.Value)}), dtype=torch.float64)", Primary);
    }

    /// <summary>A constant argument is a Python number, which torch's functions do not take.</summary>
    protected override string ArgumentCode(Expr arg) => ExprQueries.Variables(arg).Any() ? Code(arg) : $"_t({Code(arg)})";

    /// <summary>The torch form of a one-argument op, else NumPy's form through the module's helpers.</summary>
    protected override (string Code, int Level) CallCode(string op, Expr arg)
    {
        string a = ArgumentCode(arg);
        string F(string f) => $"{f}({a})";
        return op switch
        {
            "arcsin" or "arccos" or "arctan" or "exp" or "log" or "sin" or "cos" or "tan" or "tanh" or "sqrt" or "abs" or "sign"
                => (F("torch." + op), Primary),
            "sigmoid" => (F("torch.sigmoid"), Primary),
            "erf" or "log1p" or "expm1" or "cosh" or "sinh" => (F($"torch.{op}"), Primary),
            "gelu" => (F("torch.nn.functional.gelu"), Primary),
            "mean" => (F("torch.mean"), Primary),
            "expm" => (F("torch.linalg.matrix_exp"), Primary),
            "logm" or "sqrtm" => (F("_" + op), Primary),
            "softplus" => ($"torch.logaddexp({a}, torch.zeros((), dtype=torch.float64))", Primary),
            "relu" => (F("torch.relu"), Primary),
            "step" => ($"torch.heaviside({a}, torch.zeros((), dtype=torch.float64))", Primary),
            "tr" => (F("torch.trace"), Primary),
            "det" => (F("torch.linalg.det"), Primary),
            "inv" => (F("torch.linalg.inv"), Primary),
            "diag" => (F("torch.diag"), Primary),
            "sum" => (F("torch.sum"), Primary),
            "norm2" => (F("torch.linalg.norm"), Primary),
            "norm1" => ($"torch.sum(torch.abs({a}))", Primary),
            _ => base.CallCode(op, arg),
        };
    }

    /// <summary>torch.outer(a, b).</summary>
    protected override string Outer(string a, string b) => $"torch.outer({a}, {b})";
    /// <summary>torch.linalg.solve(A, B).</summary>
    protected override string Solve(string a, string b) => $"torch.linalg.solve({a}, {b})";
}
