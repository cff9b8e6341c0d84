using Nabla.Expressions;
using Nabla.Ops;
using Nabla.Printing;
using Nabla.LinearAlgebra;

namespace Nabla.Simplify;

/// <summary>
/// Smart constructors that take canonical arguments and return canonical results. Canonical form:
/// no Neg, Div or './' (they become coefficients and -1 powers); products are
/// [coefficient] [scalar factors, ordered] [matrix chain, in order]; sums are flat with like terms
/// collected and a stable order (positive terms first); transposes sit on the leaves.
/// </summary>
internal static class Rules
{
    public static bool IsZero(Expr e) => e is Num { Value: 0 } || e is Fill { Value: Num { Value: 0 } };

    public static Expr Zero(Shape s) => s.IsScalar ? Num.Zero : new Fill(Num.Zero, s);

    public static Expr MakeFill(Expr v, Shape s) => s.IsScalar ? v : new Fill(v, s);

    // ---------------- products ----------------

    public static Expr MakeMul(IEnumerable<Expr> factors)
    {
        double coef = 1;
        var scalars = new List<(Expr Base, double Exp)>();
        var chain = new List<Expr>();
        Shape shape = Mul.ProductShape(factors) ?? throw new InvalidOperationException("MakeMul of incompatible shapes");

        void Absorb(Expr f)
        {
            switch (f)
            {
                case Num n: coef *= n.Value; break;
                case Mul m:
                {
                    var sub = new List<Expr>();
                    foreach (var c in m.Factors)
                        if (c.Shape.IsScalar) Absorb(c); else sub.Add(c);
                    if (sub.Count == 0) break;
                    if (m.Shape.IsScalar) scalars.Add((OrientScalarChain(sub), 1));
                    else chain.AddRange(sub);
                    break;
                }
                case Power { Base: var b, Exponent: Num k } when b.Shape.IsScalar: scalars.Add((b, k.Value)); break;
                case Fill { Value: Num { Value: 0 } }: coef = 0; break;
                case Fill { Value: var v } fill when v is not Num { Value: 1 }:
                    Absorb(v);
                    chain.Add(new Fill(Num.One, fill.Shape));
                    break;
                default:
                    if (f.Shape.IsScalar) scalars.Add((f, 1)); else chain.Add(f);
                    break;
            }
        }

        foreach (var f in factors) Absorb(f);
        if (coef == 0 || double.IsNaN(coef)) return Zero(shape);
        SplitScalarPieces(chain, scalars);

        // matrix(1)*u = sum(u)*vector(1) and u'*matrix(1) = sum(u)*vector(1)' (rows and columns of ones).
        for (int i = 0; i + 1 < chain.Count; i++)
        {
            if (chain[i] is Fill { Value: Num { Value: 1 } } ones && ones.Shape.Kind == ShapeKind.Matrix && chain[i + 1].Shape.Kind == ShapeKind.Vector)
            {
                scalars.Add((MakeCall(Functions.Sum, chain[i + 1]), 1));
                chain[i] = new Fill(Num.One, Shape.Vector(ones.Shape.Rows!.Value));
                chain.RemoveAt(i + 1);
            }
            else if (chain[i].Shape.Kind == ShapeKind.Row && chain[i + 1] is Fill { Value: Num { Value: 1 } } ones2 && ones2.Shape.Kind == ShapeKind.Matrix)
            {
                scalars.Add((MakeCall(Functions.Sum, chain[i]), 1));
                chain[i] = new Fill(Num.One, new Shape(null, ones2.Shape.Cols));
                chain.RemoveAt(i + 1);
            }
        }

        // Merge equal bases: s * s -> s^2, s * s^-1 -> 1; fold numeric bases into the coefficient.
        var merged = new List<(Expr Base, double Exp)>();
        foreach (var (b, k) in scalars)
        {
            int i = merged.FindIndex(m => m.Base.Equals(b));
            if (i >= 0) merged[i] = (b, merged[i].Exp + k);
            else merged.Add((b, k));
        }
        merged.RemoveAll(m => m.Exp == 0);
        RecogniseSigmoid(merged);
        SignOverAbs(merged);
        // exp(u)/sum(exp(u)) = softmax(u).
        if (chain.Count == 1 && chain[0] is Call { Op: var eop } ex && ReferenceEquals(eop, Functions.Exp) && ex.Arg.Shape.Kind == ShapeKind.Vector)
        {
            int si = merged.FindIndex(m => m.Exp == -1 && m.Base is Call { Op: var sop } sc && ReferenceEquals(sop, Functions.Sum) && sc.Arg.Equals(ex));
            if (si >= 0)
            {
                merged.RemoveAt(si);
                chain[0] = MakeCall(Functions.Softmax, ex.Arg);
            }
        }

        // diag(u)*diag(v) = diag(u.*v).
        for (int i = 0; i + 1 < chain.Count; i++)
            if (IsDiagOfVector(chain[i]) is { } d1 && IsDiagOfVector(chain[i + 1]) is { } d2)
            {
                chain[i] = MakeCall(Functions.Diag, MakeHad(d1, d2));
                chain.RemoveAt(i + 1);
                i--;
            }
        // diag(u)*v = u.*v and v'*diag(u) = (u.*v)' for vectors u, v.
        for (int i = 0; i + 1 < chain.Count; i++)
        {
            if (IsDiagOfVector(chain[i]) is { } u && chain[i + 1].Shape.Kind == ShapeKind.Vector)
            {
                chain[i] = MakeHad(u, chain[i + 1]);
                chain.RemoveAt(i + 1);
                i = Math.Max(-1, i - 2);
            }
            else if (chain[i].Shape.Kind == ShapeKind.Row && IsDiagOfVector(chain[i + 1]) is { } w)
            {
                chain[i] = MakeT(MakeHad(w, MakeT(chain[i])));
                chain.RemoveAt(i + 1);
                i = Math.Max(-1, i - 2);
            }
        }

        // Identity factors vanish from a chain with other factors; inv(A)*A cancels.
        if (chain.Count > 1)
        {
            // eye*eye is eye, not an empty product (which would read as the scalar 1).
            var eye = chain.FirstOrDefault(c => c is Eye);
            chain.RemoveAll(c => c is Eye);
            if (chain.Count == 0) chain.Add(eye!);
        }
        // inv(P*Q)*P*Q = eye and P*Q*inv(P*Q) = eye, whatever the shapes of P and Q (C'*C with C not square).
        for (int i = 0; i < chain.Count; i++)
        {
            if (!IsInv(chain[i], out var inner) || inner is not Mul im) continue;
            var parts = im.Factors;
            if (parts.Any(f => f.Shape.IsScalar)) continue;
            int n = parts.Count;
            if (i + n < chain.Count && Enumerable.Range(0, n).All(k => chain[i + 1 + k].Equals(parts[k])))
            {
                chain.RemoveRange(i, n + 1);
                if (chain.Count == 0) chain.Add(new Eye(im.Shape.Rows!.Value));
                i = -1;
            }
            else if (i - n >= 0 && Enumerable.Range(0, n).All(k => chain[i - n + k].Equals(parts[k])))
            {
                chain.RemoveRange(i - n, n + 1);
                if (chain.Count == 0) chain.Add(new Eye(im.Shape.Rows!.Value));
                i = -1;
            }
        }
        for (int i = 0; i + 1 < chain.Count; i++)
        {
            if (IsInversePair(chain[i], chain[i + 1]))
            {
                var n = chain[i].Shape.Rows!.Value;
                chain.RemoveRange(i, 2);
                if (chain.Count == 0) chain.Add(new Eye(n));
                i = Math.Max(-1, i - 2);
            }
            else if (CancelIntoInverse(chain[i], chain[i + 1]) is { } reduced)
            {
                chain[i] = reduced;
                chain.RemoveAt(i + 1);
                i = Math.Max(-1, i - 2);
            }
        }
        // u'*(v./u) = sum(v): a row times an element-wise quotient by the same vector.
        for (int i = 0; i + 1 < chain.Count; i++)
        {
            if (chain[i] is not Transpose { X: var u } || u.Shape.Kind != ShapeKind.Vector) continue;
            var had = HadFactors(chain[i + 1]);
            int k = had.FindIndex(f => f is Power { Exponent: Num { Value: -1 } } p && p.Base.Equals(u));
            if (k < 0 || had.Count < 2) continue;
            had.RemoveAt(k);
            var rest = had.Skip(1).Aggregate(had[0], MakeHad);
            var replaced = new List<Expr> { new Num(coef) };
            replaced.AddRange(merged.Select(m => m.Exp == 1 ? m.Base : new Power(m.Base, new Num(m.Exp))));
            replaced.AddRange(chain.Take(i));
            replaced.Add(MakeCall(Functions.Sum, rest));
            replaced.AddRange(chain.Skip(i + 2));
            return MakeMul(replaced);
        }
        // Powers of one matrix, inverses included, combine: S*S -> S^2, S^j*S^k -> S^(j+k), X'*inv(X^5)'*X'^3 -> inv(X)'
        // (powers and inverses of the same matrix commute).
        for (int i = 0; i + 1 < chain.Count; i++)
        {
            // Cheap refusals first: most adjacent pairs are neither equal nor powers or inverses.
            if (!chain[i].Shape.IsSquare || !chain[i + 1].Shape.IsSquare) continue;
            if (!IsPowerLike(chain[i]) && !IsPowerLike(chain[i + 1]) && !chain[i].Equals(chain[i + 1])) continue;
            var (b1, k1) = SignedPower(chain[i]);
            var (b2, k2) = SignedPower(chain[i + 1]);
            if (!b1.Shape.IsSquare || b1 is Eye || !b1.Equals(b2)) continue;
            var combined = MakeSignedPower(b1, k1 + k2);
            chain[i] = combined;
            chain.RemoveAt(i + 1);
            if (combined is Eye && chain.Count > 1) chain.RemoveAt(i);
            i = Math.Max(-1, i - 2);
        }

        // A scalar chain (y'*A'*x) takes the orientation with fewer transposes (x'*A*y).
        if (shape.IsScalar && chain.Count > 1)
            chain = OrientScalarChain(chain) is Mul om ? om.Factors.ToList() : chain;

        var items = new List<Expr>();
        if (coef != 1) items.Add(new Num(coef));
        items.AddRange(merged.OrderBy(m => ScalarRank(m.Base)).ThenBy(m => m.Base, Comparer<Expr>.Create(StructuralOrder.Compare))
            .Select(m => m.Exp == 1 ? m.Base : (Expr)new Power(m.Base, new Num(m.Exp))));
        items.AddRange(chain);
        return items.Count switch
        {
            0 => Num.One,
            1 => items[0],
            _ => new Mul(items),
        };
    }

    /// <summary>
    /// A chain whose running product becomes a scalar before its end (x'*x*y, x'*A*y*z') holds a scalar
    /// piece that scales the rest; it is not a matrix product with the factors after it. Such a piece
    /// becomes a scalar factor of its own, so no later rule (dropping an identity, cancelling an inverse,
    /// reading off a Jacobian) can treat the chain as one matrix product and lose its shape.
    /// </summary>
    private static void SplitScalarPieces(List<Expr> chain, List<(Expr Base, double Exp)> scalars)
    {
        int start = 0;
        Shape acc = Shape.Scalar;
        for (int k = 0; k < chain.Count; k++)
        {
            var s = chain[k].Shape;
            acc = acc.IsScalar ? s : new Shape(acc.Rows, s.Cols);
            if (!acc.IsScalar || k == chain.Count - 1 && start == 0) continue;
            var piece = chain.GetRange(start, k - start + 1);
            scalars.Add((piece.Count == 1 ? piece[0] : OrientScalarChain(piece), 1));
            chain.RemoveRange(start, k - start + 1);
            k = start - 1;
            acc = Shape.Scalar;
        }
    }

    private static List<Expr> HadFactors(Expr e)
    {
        var list = new List<Expr>();
        void Walk(Expr x)
        {
            if (x is Elementwise { Op: ElementwiseOp.Mul } w) { Walk(w.Left); Walk(w.Right); }
            else list.Add(x);
        }
        Walk(e);
        return list;
    }

    private static Expr? IsDiagOfVector(Expr e) =>
        e is Call { Op: var op } c && ReferenceEquals(op, Functions.Diag) && c.Arg.Shape.Kind == ShapeKind.Vector ? c.Arg : null;

    private static bool IsInversePair(Expr a, Expr b) =>
        IsInverseOf(a, b) || IsInverseOf(b, a)
        // transposed: A' * inv(A)' = (inv(A) * A)'
        || (a is Transpose || b is Transpose) && (IsInverseOf(MakeT(a), MakeT(b)) || IsInverseOf(MakeT(b), MakeT(a)));

    private static bool IsInverseOf(Expr a, Expr b) =>
        a is Call { Op: var oa } ca && ReferenceEquals(oa, Functions.Inv) && ca.Arg.Equals(b);

    private static bool IsInv(Expr e, out Expr arg)
    {
        arg = e is Call { Op: var o } c && ReferenceEquals(o, Functions.Inv) ? c.Arg : null!;
        return arg is not null;
    }

    /// <summary>
    /// A square factor next to the inverse of a product of square factors that ends (starts) with it:
    /// R*inv(P*R) = inv(P), inv(R*P)*R = inv(P) (inv(P*R) = inv(R)*inv(P) when every factor is square),
    /// and the transposed forms R'*inv(R*P)' = inv(P)', inv(P*R)'*R' = inv(P)'. Null when neither applies.
    /// </summary>
    private static Expr? CancelIntoInverse(Expr left, Expr right)
    {
        static List<Expr>? SquareChain(Expr m) =>
            m is Mul mm && mm.Factors.All(f => f.Shape.IsSquare && !f.Shape.IsScalar) ? mm.Factors.ToList() : null;

        if (IsInv(right, out var m1) && SquareChain(m1) is { } c1 && c1[^1].Equals(left))
            return MakeCall(Functions.Inv, MakeMul(c1.Take(c1.Count - 1)));
        if (IsInv(left, out var m2) && SquareChain(m2) is { } c2 && c2[0].Equals(right))
            return MakeCall(Functions.Inv, MakeMul(c2.Skip(1)));
        if (right is Transpose { X: var ti } && IsInv(ti, out var m3) && SquareChain(m3) is { } c3 && c3[0].Equals(MakeT(left)))
            return MakeT(MakeCall(Functions.Inv, MakeMul(c3.Skip(1))));
        if (left is Transpose { X: var tl } && IsInv(tl, out var m4) && SquareChain(m4) is { } c4 && c4[^1].Equals(MakeT(right)))
            return MakeT(MakeCall(Functions.Inv, MakeMul(c4.Take(c4.Count - 1))));
        return null;
    }

    /// <summary>(1+exp(u))^-1 → sigmoid(-u), then exp(u) * sigmoid(-u) → sigmoid(u) (scalars, or entry by entry).</summary>
    private static void RecogniseSigmoid(List<(Expr Base, double Exp)> factors)
    {
        for (int i = 0; i < factors.Count; i++)
            if (factors[i].Exp == -1 && Functions.OnePlusExp(factors[i].Base) is { } u)
                factors[i] = (MakeCall(Functions.Sigmoid, MakeMul([Num.MinusOne, u])), 1);
        for (int i = 0; i < factors.Count; i++)
        {
            if (factors[i] is not { Exp: 1, Base: Call { Op: var op } e } || !ReferenceEquals(op, Functions.Exp)) continue;
            var target = MakeCall(Functions.Sigmoid, MakeMul([Num.MinusOne, e.Arg]));
            int j = factors.FindIndex(f => f.Exp == 1 && f.Base.Equals(target));
            if (j < 0) continue;
            factors[j] = (MakeCall(Functions.Sigmoid, e.Arg), 1);
            factors.RemoveAt(i);
            i = -1;
        }
    }

    /// <summary>u*sign(u)/abs(u) = 1, sign(u)/abs(u) = 1/u, u/abs(u) = sign(u) (u ≠ 0, where the left sides are defined).</summary>
    private static void SignOverAbs(List<(Expr Base, double Exp)> factors)
    {
        for (int i = 0; i < factors.Count; i++)
        {
            if (factors[i] is not { Exp: -1, Base: Call { Op: var op } abs } || !ReferenceEquals(op, Functions.Abs)) continue;
            var u = abs.Arg;
            var sign = MakeCall(Functions.Sign, u);
            int s = factors.FindIndex(f => f.Exp == 1 && f.Base.Equals(sign));
            int p = factors.FindIndex(f => f.Exp == 1 && f.Base.Equals(u));
            if (s >= 0 && p >= 0)
            {
                foreach (int k in new[] { i, s, p }.OrderDescending()) factors.RemoveAt(k);
            }
            else if (s >= 0)
            {
                factors[i] = (u, -1);
                factors.RemoveAt(s);
            }
            else if (p >= 0)
            {
                factors[i] = (sign, 1);
                factors.RemoveAt(p);
            }
            else continue;
            i = -1;
        }
    }

    /// <summary>Scalar factor order: function values, then plain variables, then the rest.</summary>
    private static int ScalarRank(Expr e) => e switch
    {
        Call => 0,
        Var => 1,
        _ => 2,
    };

    /// <summary>A scalar chain equals its transpose; keep the orientation with fewer transposes (then the smaller text).</summary>
    private static Expr OrientScalarChain(List<Expr> chain)
    {
        // vector(1)'*u = u'*vector(1) = sum(u).
        if (chain.Count == 2 && chain.FindIndex(IsOnes) is var o and >= 0)
            return MakeCall(Functions.Sum, chain[1 - o]);
        var forward = chain.Count == 1 ? chain[0] : new Mul(chain.ToList());
        var reversed = new List<Expr>();
        for (int i = chain.Count - 1; i >= 0; i--) reversed.Add(MakeT(chain[i]));
        var backward = reversed.Count == 1 ? reversed[0] : new Mul(reversed);
        return Compare(backward, forward) < 0 ? backward : forward;
    }

    private static bool IsOnes(Expr e) => e is Fill { Value: Num { Value: 1 } } || e is Transpose { X: Fill { Value: Num { Value: 1 } } };

    public static int TransposeCount(Expr e)
    {
        int n = e is Transpose ? 1 : 0;
        foreach (var c in e.Children) n += TransposeCount(c);
        return n;
    }

    public static string Key(Expr e) => StructuralOrder.Key(e);

    public static int Compare(Expr a, Expr b)
    {
        int c = TransposeCount(a).CompareTo(TransposeCount(b));
        return c != 0 ? c : StructuralOrder.Compare(a, b);
    }

    // ---------------- sums ----------------

    public static Expr MakeAdd(IEnumerable<Expr> terms, Shape shape)
    {
        var coefs = new Dictionary<Expr, double>();
        var order = new List<Expr>();

        void Absorb(Expr t)
        {
            switch (t)
            {
                case Add a: foreach (var x in a.Terms) Absorb(x); return;
                case Num n: Put(Num.One, n.Value); return;
                case Fill { Value: Num n } f: Put(new Fill(Num.One, f.Shape), n.Value); return;
                case Mul { Factors: [Num c, ..] } m: Put(Rest(m), c.Value); return;
                default: Put(t, 1); return;
            }
        }

        void Put(Expr rest, double c)
        {
            if (coefs.TryGetValue(rest, out var old)) coefs[rest] = old + c;
            else { coefs[rest] = c; order.Add(rest); }
        }

        foreach (var t in terms) Absorb(t);
        var result = new List<(Expr Term, bool Negative)>();
        foreach (var rest in order)
        {
            double c = coefs[rest];
            if (c == 0 || IsZero(rest)) continue;
            // A constant c*matrix(1) stays the fill matrix(c), so it prints as the broadcast c and sorts last.
            var term = c == 1 ? rest : rest is Fill { Value: Num { Value: 1 } } f1 ? new Fill(new Num(c), f1.Shape) : MakeMul([new Num(c), rest]);
            result.Add((term, c < 0));
        }
        if (result.Count == 0) return Zero(shape);
        if (result.Count == 1) return result[0].Term;
        var sorted = result.OrderBy(r => r.Negative).ThenBy(r => r.Term is Num or Fill ? 1 : 0)
            .ThenByDescending(r => ChainLength(r.Term)).ThenBy(r => Uncoefficient(r.Term), Comparer<Expr>.Create(Compare)).Select(r => r.Term).ToList();
        return new Add(sorted);
    }

    /// <summary>Matrix factors in a term: longer chains lead a sum, as in A*x+b and X'*(X*w-y)+lambda*w.</summary>
    private static int ChainLength(Expr t) => t is Mul m ? m.Factors.Count(f => !f.Shape.IsScalar) : t.Shape.IsScalar ? 0 : 1;

    /// <summary>The term without its numeric coefficient, for ordering: x+2*y, not 2*y+x.</summary>
    private static Expr Uncoefficient(Expr t) => t is Mul { Factors: [Num, ..] } m ? Rest(m) : t;

    /// <summary>A product without its leading numeric coefficient.</summary>
    public static Expr Rest(Mul m) => m.Factors.Count == 2 ? m.Factors[1] : new Mul(m.Factors.Skip(1).ToList());

    // ---------------- transposes ----------------

    public static Expr MakeT(Expr x)
    {
        if (x.Shape.IsScalar) return x;
        switch (x)
        {
            case Transpose t: return t.X;
            case Eye: return x;
            case Fill f: return new Fill(f.Value, f.Shape.Transposed);
            case Mul m:
            {
                var list = new List<Expr>();
                foreach (var f in m.Factors) if (f.Shape.IsScalar) list.Add(f);
                for (int i = m.Factors.Count - 1; i >= 0; i--)
                    if (!m.Factors[i].Shape.IsScalar) list.Add(MakeT(m.Factors[i]));
                return MakeMul(list);
            }
            case Add a: return MakeAdd(a.Terms.Select(MakeT), a.Shape.Transposed);
            case Elementwise { Op: ElementwiseOp.Mul } w: return MakeHad(MakeT(w.Left), MakeT(w.Right));
            case Power p: return MakePow(MakeT(p.Base), p.Exponent);
            case MatPow mp: return MakeMatPow(MakeT(mp.A), mp.K);
            case Call { Op: ElementwiseFunction } c: return MakeCall(c.Op, MakeT(c.Arg));
        }
        return IsSymmetric(x) ? x : new Transpose(x);
    }

    /// <summary>Structural symmetry: X' = X is known without computing.</summary>
    public static bool IsSymmetric(Expr e)
    {
        if (e.Shape.IsScalar) return true;
        if (!e.Shape.IsSquare) return false;
        return e switch
        {
            Var v => v.Symmetric,
            Eye => true,
            Fill => true,
            Call { Op: var op } c when ReferenceEquals(op, Functions.Diag) => c.Arg.Shape.Kind == ShapeKind.Vector,
            Call { Op: var op } c when ReferenceEquals(op, Functions.Inv) => IsSymmetric(c.Arg),
            Call { Op: ElementwiseFunction } c => IsSymmetric(c.Arg),
            // f(S)' = f(S') for a primary matrix function, and L_f(S, E)' = L_f(S', E')
            Call { Op: PrimaryMatrixFunction } c => IsSymmetric(c.Arg),
            Call { Op: FrechetDerivative } c => IsSymmetric(c.Args[0]) && IsSymmetric(c.Args[1]),
            MatPow mp => IsSymmetric(mp.A),
            Power p => IsSymmetric(p.Base),
            Elementwise w => IsSymmetric(w.Left) && IsSymmetric(w.Right),
            Add a => a.Terms.All(t => IsSymmetric(t) || a.Terms.Contains(MakeT(t))),
            Mul m => IsPalindrome(m.Factors.Where(f => !f.Shape.IsScalar).ToList()),
            _ => false,
        };
    }

    private static bool IsPalindrome(List<Expr> chain)
    {
        for (int i = 0, j = chain.Count - 1; i <= j; i++, j--)
        {
            if (i == j) return IsSymmetric(chain[i]);
            if (!chain[i].Equals(MakeT(chain[j]))) return false;
        }
        return true;
    }

    // ---------------- powers ----------------

    public static Expr MakePow(Expr b, Expr p)
    {
        if (p is Num { Value: 1 }) return b;
        if (p is Num { Value: 0 }) return b.Shape.IsScalar ? Num.One : new Fill(Num.One, b.Shape);
        if (b is Num nb && p is Num np0)
        {
            double v = Math.Pow(nb.Value, np0.Value);
            if (double.IsFinite(v) && (v == Math.Round(v) || np0.Value == Math.Round(np0.Value))) return new Num(v);
        }
        if (b is Fill { Value: Num c } fill && p is Num np1) return new Fill(MakePow(c, np1), fill.Shape);
        if (b is Power { Exponent: Num q } inner && p is Num k && k.Value == Math.Round(k.Value))
            return MakePow(inner.Base, new Num(q.Value * k.Value));
        if (b.Shape.IsScalar && b is Mul { Factors: [Num c0, ..] } bm && p is Num kk && kk.Value == Math.Round(kk.Value))
            return MakeMul([MakePow(c0, kk), MakePow(Rest(bm), kk)]);
        return new Power(b, p);
    }

    private static bool IsPowerLike(Expr f) => f is MatPow || IsInv(f, out _) || f is Transpose { X: var t } && (t is MatPow || IsInv(t, out _));

    /// <summary>A square factor as a signed power of its base: X^k -> (X, k), inv(X) -> (X, -1), inv(X^5)' -> (X', -5).</summary>
    private static (Expr Base, int K) SignedPower(Expr f)
    {
        switch (f)
        {
            case MatPow mp:
            {
                var (b, k) = SignedPower(mp.A);
                return (b, k * mp.K);
            }
            case Call { Op: var op } c when ReferenceEquals(op, Functions.Inv):
            {
                var (b, k) = SignedPower(c.Arg);
                return (b, -k);
            }
            case Transpose { X: MatPow or Call } t when t.X is MatPow || t.X is Call { Op: var op2 } && ReferenceEquals(op2, Functions.Inv):
            {
                var (b, k) = SignedPower(t.X);
                return (MakeT(b), k);
            }
        }
        return (f, 1);
    }

    /// <summary>B^k for a signed k: the identity, B, B^k, inv(B) or inv(B)^k; a transposed base keeps its transpose outside.</summary>
    private static Expr MakeSignedPower(Expr b, int k)
    {
        if (k < 0 && b is Transpose { X: var inner }) return MakeT(MakeMatPow(inner, k));
        return MakeMatPow(b, k);
    }

    public static Expr MakeMatPow(Expr a, int k) => k switch
    {
        0 => new Eye(a.Shape.Rows!.Value),
        1 => a,
        -1 => MakeCall(Functions.Inv, a),
        < 0 => new MatPow(MakeCall(Functions.Inv, a), -k),
        _ => new MatPow(a, k),
    };

    // ---------------- element-wise products ----------------

    public static Expr MakeHad(Expr a, Expr b)
    {
        if (a.Shape.IsScalar || b.Shape.IsScalar) return MakeMul([a, b]);
        if (IsZero(a) || IsZero(b)) return Zero(a.Shape);
        if (a is Fill fa) return MakeMul([fa.Value, b]);
        if (b is Fill fb) return MakeMul([fb.Value, a]);

        // Pull scalar factors out: (c*X) .* Y = c*(X .* Y).
        var scale = new List<Expr>();
        var factors = new List<(Expr Base, double Exp)>();

        void Absorb(Expr x)
        {
            switch (x)
            {
                case Elementwise { Op: ElementwiseOp.Mul } w: Absorb(w.Left); Absorb(w.Right); break;
                case Mul m when m.Factors.Count(f => !f.Shape.IsScalar) == 1:
                    foreach (var f in m.Factors)
                        if (f.Shape.IsScalar) scale.Add(f); else Absorb(f);
                    break;
                case Power { Exponent: Num k } p: Add(p.Base, k.Value); break;
                default: Add(x, 1); break;
            }
        }

        void Add(Expr x, double k)
        {
            int i = factors.FindIndex(f => f.Base.Equals(x));
            if (i >= 0) factors[i] = (x, factors[i].Exp + k);
            else factors.Add((x, k));
        }

        Absorb(a);
        Absorb(b);
        factors.RemoveAll(f => f.Exp == 0);
        RecogniseSigmoid(factors); // exp(u)./(1+exp(u)) = sigmoid(u), entry by entry
        var shape = a.Shape;
        Expr body;
        if (factors.Count == 0) body = new Fill(Num.One, shape);
        else
        {
            var ordered = factors.OrderBy(f => f.Exp < 0).ThenBy(f => f.Base is Var ? 0 : 1).ThenBy(f => f.Base, Comparer<Expr>.Create(Compare))
                .Select(f => f.Exp == 1 ? f.Base : MakePow(f.Base, new Num(f.Exp))).ToList();
            body = ordered[0];
            for (int i = 1; i < ordered.Count; i++) body = new Elementwise(ElementwiseOp.Mul, body, ordered[i]);
        }
        return scale.Count == 0 ? body : MakeMul([.. scale, body]);
    }

    // ---------------- functions ----------------

    /// <summary>A call of several arguments (its op's own identities were applied by <see cref="FunctionOp.Rewrite"/>).</summary>
    public static Expr MakeCall(FunctionOp op, IReadOnlyList<Expr> args) => args.Count == 1 ? MakeCall(op, args[0]) : new Call(op, args);

    public static Expr MakeCall(FunctionOp op, Expr arg)
    {
        if (op is ElementwiseFunction ef)
        {
            if (arg is Num n && FoldsExactly(ef, n.Value)) return new Num(ef.Kernel(n.Value));
            if (arg is Fill { Value: Num c } f && FoldsExactly(ef, c.Value)) return new Fill(new Num(ef.Kernel(c.Value)), f.Shape);
            // the function's own identities (exp(log(u)) = u, log(1+exp(u)) = softplus(u)) are its registry entry's
            if (ef.Rewrite([arg]) is { } own) return Simplifier.Simplify(own);
        }
        if (ReferenceEquals(op, Functions.Tr) && !IsZero(arg)) return MakeTrace(arg);
        if (op is MatrixFunction mf && mf.Rewrite([arg]) is { } stated) return Simplifier.Simplify(stated);
        // The sum or a norm of zeros is 0 (whatever the size, which may be fixed by nothing else).
        if ((ReferenceEquals(op, Functions.Norm1) || ReferenceEquals(op, Functions.Norm2) || ReferenceEquals(op, Functions.Tr)) && IsZero(arg))
            return Num.Zero;
        if (ReferenceEquals(op, Functions.Norm1) && arg.Shape.IsScalar) return MakeCall(Functions.Abs, arg);
        return new Call(op, arg);
    }

    /// <summary>Fold f(c) only where the result is exact (so printing loses nothing): integers in, integers out.</summary>
    private static bool FoldsExactly(ElementwiseFunction f, double v)
    {
        double r = f.Kernel(v);
        return double.IsFinite(r) && r == Math.Round(r);
    }

    /// <summary>tr(c*X) = c*tr(X); tr(X') = tr(X); tr(u*r) = r*u for a column u (the trace trick).</summary>
    private static Expr MakeTrace(Expr arg)
    {
        if (arg.Shape.IsScalar) return arg;
        if (arg is Transpose t) return MakeTrace(t.X);
        if (arg is Mul m)
        {
            var scalars = m.Factors.Where(f => f.Shape.IsScalar).ToList();
            var chain = m.Factors.Where(f => !f.Shape.IsScalar).ToList();
            if (chain.Count >= 2 && chain[0].Shape.Kind == ShapeKind.Vector)
                return MakeMul([.. scalars, .. chain.Skip(1), chain[0]]);
            if (chain.Count >= 2 && chain[^1].Shape.Kind == ShapeKind.Row)
                return MakeMul([.. scalars, chain[^1], .. chain.Take(chain.Count - 1)]);
            // tr(P*u*w'*Q) = w'*Q*P*u: an outer product inside turns the trace into a scalar chain.
            Shape acc = Shape.Scalar;
            for (int k = 0; k + 1 < chain.Count; k++)
            {
                acc = k == 0 ? chain[0].Shape : new Shape(acc.Rows, chain[k].Shape.Cols);
                if (acc.Kind == ShapeKind.Vector)
                    return MakeMul([.. scalars, .. chain.Skip(k + 1), .. chain.Take(k + 1)]);
            }
            if (scalars.Count > 0)
                return MakeMul([.. scalars, MakeTrace(chain.Count == 1 ? chain[0] : new Mul(chain))]);
        }
        return new Call(Functions.Tr, arg);
    }
}
