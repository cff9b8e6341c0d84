// Example expressions for the page: the seed problems (tests/cases/seed.jsonl) first, then a few more.
// Each sets the expression, the variable to differentiate by, the derivative and any declared types.
"use strict";
window.NABLA_EXAMPLES = [
  { label: "a'*x", expr: "a'*x", wrt: "x", vars: { a: "vector" }, note: "seed 1.1: gradient of a scalar product" },
  { label: "x'*A*x", expr: "x'*A*x", wrt: "x", note: "seed 1.2: quadratic form" },
  { label: "x'*A*x, A symmetric", expr: "x'*A*x", wrt: "x", vars: { A: "symmetric" }, note: "seed 1.2 with A symmetric" },
  { label: "det(A)", expr: "det(A)", wrt: "A", note: "seed 1.3: determinant" },
  { label: "tr(A*B)", expr: "tr(A*B)", wrt: "A", note: "seed 1.4: trace of a product" },
  { label: "x'*A*y", expr: "x'*A*y", wrt: "A", note: "seed 1.5: bilinear form" },
  { label: "logistic loss", expr: "log(1+exp(-y*<w,x>))", wrt: "w", vars: { y: "scalar" }, note: "seed 1.6: logistic loss of a linear model" },
  { label: "least squares", expr: "(y-X*w)'*(y-X*w)", wrt: "w", note: "seed 2: gradient of Q(w)" },
  { label: "least squares, Hessian", expr: "(y-X*w)'*(y-X*w)", wrt: "w", kind: "hessian", note: "seed 2: Hessian of Q(w) is 2X'X" },
  { label: "A*x, Jacobian", expr: "A*x", wrt: "x", kind: "jacobian", note: "chain rule: Jacobian of A*x" },
  { label: "logdet(X)", expr: "logdet(X)", wrt: "X", note: "log-determinant" },
  { label: "norm2(X*w-y)^2", expr: "norm2(X*w-y)^2", wrt: "w", note: "squared residual norm" },
  { label: "tr(inv(A)*B)", expr: "tr(inv(A)*B)", wrt: "A", note: "trace of an inverse" },
  { label: "sum(exp(A*x))", expr: "sum(exp(A*x))", wrt: "x", note: "entry-wise function" },
  { label: "tr(expm(A)*B)", expr: "tr(expm(A)*B)", wrt: "A", note: "matrix exponential: the Fréchet derivative expm_frechet(A', B')" },
  { label: "tr(logm(S)), S spd", expr: "tr(logm(S))", wrt: "S", vars: { S: "spd" }, note: "principal matrix logarithm: inv(S)" },
  { label: "sum(gelu(W*x))", expr: "sum(gelu(W*x))", wrt: "x", note: "GELU activation (erf form)" },
];
