#include "amtune/gp.hpp"

#include <Eigen/Cholesky>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

namespace amtune {

namespace {

constexpr double kLog2Pi = 1.8378770664093454836;

// Cholesky of K + (noise + jitter) I with escalating jitter: none first, then 1e-10 s2 growing
// tenfold up to 1e-3 s2 (a standard remedy for duplicate or near-duplicate rows; R&W 2006, 3.4.3).
bool robust_llt(const MatrixXd& K, double noise, double sf2, Eigen::LLT<MatrixXd>& llt, double& jitter) {
  const int n = static_cast<int>(K.rows());
  MatrixXd A = K;
  jitter = 0.0;
  for (int attempt = 0; attempt < 9; ++attempt) {
    A.diagonal() = K.diagonal().array() + noise + jitter;
    llt.compute(A);
    if (llt.info() == Eigen::Success) {
      const auto& L = llt.matrixLLT();
      bool ok = true;
      for (int i = 0; i < n && ok; ++i) ok = std::isfinite(L(i, i)) && L(i, i) > 0.0;
      if (ok) return true;
    }
    jitter = attempt == 0 ? 1e-10 * sf2 : jitter * 10.0;
  }
  return false;
}

}  // namespace

// ------------------------------------------------------------------------------------- layout
VectorXd HyperLayout::pack(const Hyper& h) const {
  VectorXd t(size());
  t.head(d) = h.log_ls;
  t[i_sf2()] = h.log_sf2;
  t[i_mean()] = h.mean;
  if (learn_noise) t[i_noise()] = h.log_noise;
  if (w) {
    t.segment(i_wa(), w) = h.log_wa;
    t.segment(i_wb(), w) = h.log_wb;
  }
  return t;
}

Hyper HyperLayout::unpack(const VectorXd& t, const Hyper& base) const {
  Hyper h = base;
  h.log_ls = t.head(d);
  h.log_sf2 = t[i_sf2()];
  h.mean = t[i_mean()];
  if (learn_noise) h.log_noise = t[i_noise()];
  if (w) {
    h.log_wa = t.segment(i_wa(), w);
    h.log_wb = t.segment(i_wb(), w);
  }
  return h;
}

void HyperLayout::bounds(VectorXd& lo, VectorXd& hi) const {
  lo.resize(size());
  hi.resize(size());
  lo.head(d).setConstant(std::log(5e-3));
  hi.head(d).setConstant(std::log(1e3));
  lo[i_sf2()] = std::log(1e-3);
  hi[i_sf2()] = std::log(50.0);
  lo[i_mean()] = -5.0;
  hi[i_mean()] = 5.0;
  if (learn_noise) {
    lo[i_noise()] = std::log(1e-9);
    hi[i_noise()] = std::log(1.0);
  }
  if (w) {
    lo.segment(i_wa(), 2 * w).setConstant(std::log(0.2));
    hi.segment(i_wa(), 2 * w).setConstant(std::log(5.0));
  }
}

// ------------------------------------------------------------------------------------- likelihood
double neg_log_posterior(const InputSpec& spec, const HyperLayout& lay, const Priors& priors, const Hyper& base,
                         const RowMatrix& X, const VectorXd& y, const VectorXd& theta, VectorXd* grad) {
  const Hyper h = lay.unpack(theta, base);
  const int n = static_cast<int>(X.rows()), d = spec.dim();
  std::vector<int> warped = spec.warped();
  if (lay.w == 0) warped.clear();  // warping fixed at base's values
  const int w = static_cast<int>(warped.size());

  RowMatrix Z;
  compute_features(spec, h, X, Z);
  MatrixXd dZa(n, w), dZb(n, w);
  for (int k = 0; k < w; ++k) {
    const int j = warped[k];
    const double a = std::exp(h.log_wa[k]), b = std::exp(h.log_wb[k]);
    for (int i = 0; i < n; ++i) {
      double wv, dx;
      Kumaraswamy::derivs(X(i, j), a, b, wv, dx, dZa(i, k), dZb(i, k));
    }
  }
  const KernelCache kc(spec, h);
  MatrixXd K(n, n), G(n, n);
  for (int a = 0; a < n; ++a)
    for (int b = 0; b <= a; ++b) {
      const double r = std::sqrt(kc.r2(Z.row(a).data(), Z.row(b).data()));
      K(a, b) = K(b, a) = matern52(r, kc.sf2);
      G(a, b) = G(b, a) = matern52_g(r, kc.sf2);
    }
  Eigen::LLT<MatrixXd> llt;
  double jitter;
  if (!robust_llt(K, h.noise(), kc.sf2, llt, jitter))
    throw std::runtime_error("GP likelihood: covariance matrix not positive definite");
  const VectorXd yc = y.array() - h.mean;
  const VectorXd alpha = llt.solve(yc);
  double logdet = 0.0;
  for (int i = 0; i < n; ++i) logdet += std::log(llt.matrixLLT()(i, i));
  double value = 0.5 * yc.dot(alpha) + logdet + 0.5 * n * kLog2Pi;

  // log priors
  for (int j = 0; j < d; ++j) value -= priors.log_ls.logpdf(h.log_ls[j]);
  value -= priors.log_sf2.logpdf(h.log_sf2);
  if (lay.learn_noise) value -= priors.noise_logpdf(h.log_noise);
  for (int k = 0; k < w; ++k) value -= priors.log_warp.logpdf(h.log_wa[k]) + priors.log_warp.logpdf(h.log_wb[k]);
  if (!grad) return value;

  // W = alpha alpha^T - K^-1; d log p / d theta = tr(W dK) / 2. Only the lower triangle of W is
  // formed: K^-1 = L^-T L^-1 as a symmetric rank-n update (n^3 flops, half of a general solve).
  MatrixXd Linv = MatrixXd::Identity(n, n);
  llt.matrixL().solveInPlace(Linv);
  MatrixXd W = MatrixXd::Zero(n, n);
  W.selfadjointView<Eigen::Lower>().rankUpdate(Linv.transpose(), -1.0);
  for (int b = 0; b < n; ++b)
    for (int a = b; a < n; ++a) W(a, b) += alpha[a] * alpha[b];
  VectorXd gls = VectorXd::Zero(d);
  MatrixXd Gz = MatrixXd::Zero(n, w);
  std::vector<int> widx(d, -1);
  for (int k = 0; k < w; ++k) widx[warped[k]] = k;
  double wk_sum = 0.0;  // sum_ab W_ab K_ab (K without noise)
  double w_trace = 0.0;
  for (int a = 0; a < n; ++a) {
    w_trace += W(a, a);
    wk_sum += W(a, a) * K(a, a);
    const double* za = Z.row(a).data();
    for (int b = 0; b < a; ++b) {
      const double Wab = W(a, b);
      wk_sum += 2.0 * Wab * K(a, b);
      const double M = Wab * G(a, b);  // pairs (a, b) and (b, a) together: factor 2 * 1/2
      const double* zb = Z.row(b).data();
      for (int j = 0; j < d; ++j) {
        const double delta = kc.is_cat[j] ? (za[j] != zb[j] ? 1.0 : 0.0) : za[j] - zb[j];
        gls[j] += M * delta * delta * kc.inv_ls2[j];  // dk/dlog l_j = g delta^2 / l_j^2
        if (widx[j] >= 0) {
          const double t = -M * delta * kc.inv_ls2[j];  // dk/dz_a = -g delta / l^2, dk/dz_b = -dk/dz_a
          Gz(a, widx[j]) += t;
          Gz(b, widx[j]) -= t;
        }
      }
    }
  }
  grad->resize(lay.size());
  for (int j = 0; j < d; ++j) (*grad)[j] = -gls[j] - priors.log_ls.dlogpdf(h.log_ls[j]);
  (*grad)[lay.i_sf2()] = -0.5 * wk_sum - priors.log_sf2.dlogpdf(h.log_sf2);
  (*grad)[lay.i_mean()] = -alpha.sum();
  if (lay.learn_noise)
    (*grad)[lay.i_noise()] = -0.5 * std::exp(h.log_noise) * w_trace - priors.noise_dlogpdf(h.log_noise);
  for (int k = 0; k < w; ++k) {
    (*grad)[lay.i_wa() + k] = -Gz.col(k).dot(dZa.col(k)) - priors.log_warp.dlogpdf(h.log_wa[k]);
    (*grad)[lay.i_wb() + k] = -Gz.col(k).dot(dZb.col(k)) - priors.log_warp.dlogpdf(h.log_wb[k]);
  }
  return value;
}

// ------------------------------------------------------------------------------------- posterior
GP::GP(InputSpec spec, Hyper h) : spec_(std::move(spec)), h_(std::move(h)), kc_(spec_, h_) {
  centre_ = VectorXd::Zero(spec_.dim());
  widx_.assign(spec_.dim(), -1);
  int k = 0;
  for (int j : spec_.warped()) widx_[j] = k++;
}

void GP::reserve(int cap) {
  const int d = spec_.dim();
  if (cap <= X_.rows()) return;
  cap = std::max(cap, static_cast<int>(X_.rows() * 3 / 2));
  RowMatrix X(cap, d), Z(cap, d);
  MatrixXd L = MatrixXd::Zero(cap, cap);
  VectorXd y = VectorXd::Zero(cap), alpha = VectorXd::Zero(cap);
  if (n_) {
    X.topRows(n_) = X_.topRows(n_);
    Z.topRows(n_) = Z_.topRows(n_);
    L.topLeftCorner(n_, n_) = L_.topLeftCorner(n_, n_);
    y.head(n_) = y_.head(n_);
    alpha.head(n_) = alpha_.head(n_);
  }
  X_.swap(X);
  Z_.swap(Z);
  L_.swap(L);
  y_.swap(y);
  alpha_.swap(alpha);
}

void GP::fit(const RowMatrix& X, const VectorXd& y) {
  const int n = static_cast<int>(X.rows());
  if (y.size() != n) throw std::invalid_argument("GP.fit: X and y sizes differ");
  n_ = 0;
  reserve(std::max(n + 8, 16));
  X_.topRows(n) = X;
  RowMatrix Z;
  compute_features(spec_, h_, X, Z);
  Z_.topRows(n) = Z;
  centre_ = n ? VectorXd(Z.colwise().mean().transpose()) : VectorXd::Zero(spec_.dim());
  MatrixXd K = kernel_matrix(kc_, Z, Z, centre_);
  for (int a = 0; a < n; ++a) K(a, a) = kc_.sf2;  // exact diagonal
  K.triangularView<Eigen::StrictlyUpper>() = K.transpose();  // exact symmetry
  Eigen::LLT<MatrixXd> llt;
  if (!robust_llt(K, h_.noise(), kc_.sf2, llt, jitter_))
    throw std::runtime_error("GP: covariance matrix not positive definite even with jitter");
  L_.topLeftCorner(n, n) = llt.matrixL();
  n_ = n;
  y_.head(n) = y;
  update_alpha();
}

void GP::fit_rows(const RowMatrix& X, const VectorXd& y, const std::vector<int>& rows) {
  const int m = static_cast<int>(rows.size());
  RowMatrix Xs(m, X.cols());
  VectorXd ys(m);
  for (int i = 0; i < m; ++i) {
    if (rows[i] < 0 || rows[i] >= X.rows()) throw std::invalid_argument("GP.fit_rows: row index out of range");
    Xs.row(i) = X.row(rows[i]);
    ys[i] = y[rows[i]];
  }
  fit(Xs, ys);
}

VectorXd GP::kernel_row(const double* z) const {
  VectorXd k(n_);
  for (int a = 0; a < n_; ++a) k[a] = kc_.k(Z_.row(a).data(), z);
  return k;
}

void GP::push_row(const double* x, const double* z, VectorXd k, double y, double row_noise) {
  // rank-one extension of the factor: [L 0; l^T l_nn] with l = L^-1 k, l_nn^2 = k(x, x) + noise - |l|^2
  const int n = n_;
  if (n) L_.topLeftCorner(n, n).triangularView<Eigen::Lower>().solveInPlace(k);
  const double dd = kc_.sf2 + row_noise + jitter_ - k.squaredNorm();
  L_.row(n).head(n) = k.transpose();
  // A (near-)duplicate row makes dd vanish in round-off: keep the factor positive.
  L_(n, n) = std::sqrt(std::max(dd, 1e-3 * (row_noise + jitter_) + 1e-12 * kc_.sf2));
  X_.row(n) = Eigen::Map<const Eigen::RowVectorXd>(x, spec_.dim());
  Z_.row(n) = Eigen::Map<const Eigen::RowVectorXd>(z, spec_.dim());
  y_[n] = y;
  n_ = n + 1;
}

void GP::append(const RowMatrix& X, const VectorXd& y, double noise) {
  const int m = static_cast<int>(X.rows());
  if (y.size() != m) throw std::invalid_argument("GP.append: X and y sizes differ");
  reserve(n_ + m);
  RowMatrix Z;
  compute_features(spec_, h_, X, Z);
  const double row_noise = noise >= 0.0 ? noise : h_.noise();
  for (int i = 0; i < m; ++i) push_row(X.row(i).data(), Z.row(i).data(), kernel_row(Z.row(i).data()), y[i], row_noise);
  update_alpha();
}

VectorXd GP::append_believer(const RowMatrix& X, double noise) {
  const int m = static_cast<int>(X.rows()), n0 = n_;
  reserve(n_ + m);
  RowMatrix Z;
  compute_features(spec_, h_, X, Z);
  VectorXd mu(m);
  const VectorXd alpha0 = alpha_.head(n0);
  for (int i = 0; i < m; ++i) {
    VectorXd k = kernel_row(Z.row(i).data());
    mu[i] = h_.mean + k.head(n0).dot(alpha0);
    push_row(X.row(i).data(), Z.row(i).data(), std::move(k), mu[i], noise);
  }
  update_alpha();
  return mu;
}

void GP::truncate(int n) {
  if (n < 0 || n > n_) throw std::invalid_argument("GP.truncate: bad size");
  n_ = n;
  update_alpha();
}

void GP::set_y(const VectorXd& y) {
  if (y.size() != n_) throw std::invalid_argument("GP.set_y: size differs from the number of rows");
  y_.head(n_) = y;
  update_alpha();
}

double GP::loo_log_density() const {
  // With K = L L^T (noise and jitter included) and alpha = K^-1 (y - c), the prediction of y_i from
  // the other rows has mean y_i - alpha_i / [K^-1]_ii and variance 1 / [K^-1]_ii (R&W eq. 5.12).
  if (n_ < 2) return -std::numeric_limits<double>::infinity();
  const auto L = L_.topLeftCorner(n_, n_);
  MatrixXd Linv = MatrixXd::Identity(n_, n_);
  L.triangularView<Eigen::Lower>().solveInPlace(Linv);
  const VectorXd prec = Linv.colwise().squaredNorm().transpose();  // diag(K^-1) = diag(L^-T L^-1)
  double total = 0.0;
  for (int i = 0; i < n_; ++i) {
    const double resid = alpha_[i] / prec[i];
    total += 0.5 * std::log(prec[i] / (2.0 * M_PI)) - 0.5 * resid * resid * prec[i];
  }
  return total;
}

void GP::update_alpha() {
  if (!n_) return;
  VectorXd a = y_.head(n_).array() - h_.mean;
  const auto L = L_.topLeftCorner(n_, n_);
  L.triangularView<Eigen::Lower>().solveInPlace(a);
  L.triangularView<Eigen::Lower>().transpose().solveInPlace(a);
  alpha_.head(n_) = a;
}

void GP::predict(const RowMatrix& Xc, VectorXd& mu, VectorXd& var, MatrixXd* solved) const {
  const int m = static_cast<int>(Xc.rows());
  mu.setConstant(m, h_.mean);
  var.setConstant(m, kc_.sf2);
  if (!n_ || !m) {
    if (solved) solved->setZero(n_, m);
    return;
  }
  RowMatrix Zc;
  compute_features(spec_, h_, Xc, Zc);
  MatrixXd Kc;
  if (static_cast<double>(n_) * m >= 4096.0) {
    Kc = kernel_matrix(kc_, Z_.topRows(n_), Zc, centre_);
  } else {
    Kc.resize(n_, m);
    for (int c = 0; c < m; ++c)
      for (int a = 0; a < n_; ++a) Kc(a, c) = kc_.k(Z_.row(a).data(), Zc.row(c).data());
  }
  mu.noalias() += Kc.transpose() * alpha_.head(n_);
  L_.topLeftCorner(n_, n_).triangularView<Eigen::Lower>().solveInPlace(Kc);
  var.array() -= Kc.colwise().squaredNorm().transpose().array();
  var = var.cwiseMax(0.0);
  if (solved) *solved = std::move(Kc);
}

void GP::predict_grad(const double* x, double& mu, double& var, VectorXd& dmu, VectorXd& dvar) const {
  const int d = spec_.dim();
  VectorXd z(d), dzdx(d);
  for (int j = 0; j < d; ++j) {
    if (spec_.categorical(j)) {
      double c = std::floor(x[j] * spec_.card[j]);
      z[j] = c < 0 ? 0 : (c > spec_.card[j] - 1 ? spec_.card[j] - 1 : c);
      dzdx[j] = 0.0;
    } else if (widx_[j] >= 0) {
      double da, db;
      Kumaraswamy::derivs(x[j], std::exp(h_.log_wa[widx_[j]]), std::exp(h_.log_wb[widx_[j]]), z[j], dzdx[j], da, db);
    } else {
      z[j] = x[j];
      dzdx[j] = 1.0;
    }
  }
  dmu.setZero(d);
  dvar.setZero(d);
  mu = h_.mean;
  var = kc_.sf2;
  if (!n_) return;
  VectorXd k(n_);
  MatrixXd Dk(n_, d);  // dk_a / dx_j
  for (int a = 0; a < n_; ++a) {
    const double* za = Z_.row(a).data();
    const double r = std::sqrt(kc_.r2(za, z.data()));
    k[a] = matern52(r, kc_.sf2);
    const double g = matern52_g(r, kc_.sf2);
    for (int j = 0; j < d; ++j) {
      if (kc_.is_cat[j]) {
        Dk(a, j) = 0.0;
      } else {
        Dk(a, j) = -g * (z[j] - za[j]) * kc_.inv_ls2[j] * dzdx[j];
      }
    }
  }
  mu += k.dot(alpha_.head(n_));
  dmu.noalias() = Dk.transpose() * alpha_.head(n_);
  const auto L = L_.topLeftCorner(n_, n_);
  L.triangularView<Eigen::Lower>().solveInPlace(k);  // v = L^-1 k
  var -= k.squaredNorm();
  L.triangularView<Eigen::Lower>().transpose().solveInPlace(k);  // u = L^-T v = K^-1 k
  dvar.noalias() = -2.0 * (Dk.transpose() * k);
  if (var < 0.0) {
    var = 0.0;
    dvar.setZero();
  }
}

}  // namespace amtune
