// The relu-LSTM time loops of _lstm_loop.py as one compiled function each (CPU).
//
// Same math as _forward_loop / _backward_loop there: per time step one (add)mm plus one fused
// pass over the gates, instead of 7 (forward) or 5 (backward) separately dispatched torch ops.
// Built on first use with torch.utils.cpp_extension (see _cpp.loops); when no C++
// toolchain is available the TorchScript loops run instead.
#include <torch/extension.h>

#include <vector>

namespace {

template <typename T>
inline T relu(T x) {
  return x > T(0) ? x : T(0);
}

template <typename scalar_t>
void forward_impl(const at::Tensor& whh_t, at::Tensor& hs, at::Tensor& cs, at::Tensor& rc, at::Tensor& gates) {
  // gates holds xp as (steps, batch, 4u) on entry; step t adds h_t W^T in place and applies the
  // activations in place (sigmoid on the i, f, o blocks, relu on g in the fused pass). (Time-major:
  // a batch-major buffer would stride every row of a step by steps * 4u, which measured slower.)
  const int64_t steps = gates.size(0), batch = gates.size(1), four_u = gates.size(2), u = four_u / 4;
  const int64_t bu = batch * u;
  scalar_t* hp = hs.data_ptr<scalar_t>();
  scalar_t* cp = cs.data_ptr<scalar_t>();
  scalar_t* rp = rc.data_ptr<scalar_t>();
  scalar_t* gp = gates.data_ptr<scalar_t>();
  for (int64_t t = 0; t < steps; ++t) {
    at::Tensor z = gates.select(0, t);
    z.addmm_(hs.select(0, t), whh_t);
    at::Tensor ifo = z.narrow(1, 0, 2 * u);
    at::sigmoid_out(ifo, ifo);
    at::Tensor o_block = z.narrow(1, 3 * u, u);
    at::sigmoid_out(o_block, o_block);
    for (int64_t b = 0; b < batch; ++b) {
      // Distinct, non-overlapping rows: __restrict__ lets the compiler vectorize the pass.
      scalar_t* __restrict__ gi = gp + (t * batch + b) * four_u;
      const scalar_t* __restrict__ gf = gi + u;
      scalar_t* __restrict__ gg = gi + 2 * u;
      const scalar_t* __restrict__ go = gi + 3 * u;
      const scalar_t* __restrict__ c_prev = cp + t * bu + b * u;
      scalar_t* __restrict__ c_new = cp + (t + 1) * bu + b * u;
      scalar_t* __restrict__ r = rp + t * bu + b * u;
      scalar_t* __restrict__ h_new = hp + (t + 1) * bu + b * u;
      for (int64_t j = 0; j < u; ++j) {
        const scalar_t g = relu(gg[j]);
        gg[j] = g;
        const scalar_t c = gf[j] * c_prev[j] + gi[j] * g;
        const scalar_t rcv = relu(c);
        c_new[j] = c;
        r[j] = rcv;
        h_new[j] = go[j] * rcv;
      }
    }
  }
}

template <typename scalar_t>
void backward_impl(const at::Tensor& d_hseq, at::Tensor& dh, at::Tensor& dc, const at::Tensor& partner,
                   const at::Tensor& o_dc, const at::Tensor& f, const at::Tensor& whh, bool full, at::Tensor& dz_all) {
  const int64_t steps = partner.size(0), batch = partner.size(1), four_u = partner.size(2), u = four_u / 4;
  const int64_t bu = batch * u;
  const int64_t fs0 = f.stride(0), fs1 = f.stride(1), fs2 = f.stride(2);  // a strided view of the saved gates
  const scalar_t* fp = f.data_ptr<scalar_t>();
  const scalar_t* seq = full ? d_hseq.data_ptr<scalar_t>() : nullptr;
  const scalar_t* pp = partner.data_ptr<scalar_t>();
  const scalar_t* odp = o_dc.data_ptr<scalar_t>();
  scalar_t* dzp = dz_all.data_ptr<scalar_t>();
  scalar_t* dhp = dh.data_ptr<scalar_t>();
  scalar_t* dcp = dc.data_ptr<scalar_t>();
  for (int64_t k = 0; k < steps; ++k) {
    const int64_t t = steps - 1 - k;
    if (full) {  // dh += d_hseq[t] (the output sequence's gradient enters at every step)
      const scalar_t* __restrict__ sq = seq + t * bu;
      scalar_t* __restrict__ d = dhp;
      for (int64_t n = 0; n < bu; ++n) d[n] += sq[n];
    }
    for (int64_t b = 0; b < batch; ++b) {
      const scalar_t* __restrict__ pr = pp + (t * batch + b) * four_u;
      scalar_t* __restrict__ dzr = dzp + (b * steps + t) * four_u;  // dz is batch-major
      const scalar_t* __restrict__ fr = fp + t * fs0 + b * fs1;
      const scalar_t* __restrict__ od = odp + t * bu + b * u;
      const scalar_t* __restrict__ dhr = dhp + b * u;
      scalar_t* __restrict__ dcr = dcp + b * u;
      for (int64_t j = 0; j < u; ++j) {
        const scalar_t dhv = dhr[j];
        const scalar_t dcv = dcr[j] + dhv * od[j];
        dzr[j] = dcv * pr[j];
        dzr[u + j] = dcv * pr[u + j];
        dzr[2 * u + j] = dcv * pr[2 * u + j];
        dzr[3 * u + j] = dhv * pr[3 * u + j];
        dcr[j] = dcv * fr[j * fs2];
      }
    }
    at::mm_out(dh, dz_all.select(1, t), whh);  // rows strided by steps * 4u: no copy
  }
}

}  // namespace

std::vector<at::Tensor> forward_loop(const at::Tensor& xp_in, const at::Tensor& h0, const at::Tensor& c0,
                                     const at::Tensor& whh) {
  TORCH_CHECK(xp_in.dim() == 3 && xp_in.size(2) % 4 == 0, "xp must be (batch, steps, 4u)");
  const int64_t batch = xp_in.size(0), steps = xp_in.size(1), four_u = xp_in.size(2), u = four_u / 4;
  TORCH_CHECK(whh.dim() == 2 && whh.size(0) == four_u && whh.size(1) == u, "whh must be (4u, u)");
  TORCH_CHECK(h0.numel() == batch * u && c0.numel() == batch * u, "h0 and c0 must be (batch, u)");
  TORCH_CHECK(!xp_in.is_cuda(), "the compiled loop is CPU-only");
  // (steps, batch, 4u), always a copy (updated in place below; batch 1 would otherwise alias xp)
  at::Tensor gates = xp_in.transpose(0, 1).clone(at::MemoryFormat::Contiguous);
  at::Tensor hs = at::empty({steps + 1, batch, u}, xp_in.options());
  at::Tensor cs = at::empty({steps + 1, batch, u}, xp_in.options());
  at::Tensor rc = at::empty({steps, batch, u}, xp_in.options());
  hs.select(0, 0).copy_(h0);
  cs.select(0, 0).copy_(c0);
  const at::Tensor whh_t = whh.t().contiguous();  // (a dense right operand: the faster gemm)
  AT_DISPATCH_FLOATING_TYPES(xp_in.scalar_type(), "lstm_relu_forward",
                             [&] { forward_impl<scalar_t>(whh_t, hs, cs, rc, gates); });
  return {hs, cs, rc, gates};
}

std::vector<at::Tensor> backward_loop(const at::Tensor& d_hseq, const at::Tensor& d_hlast, at::Tensor dc,
                                      const at::Tensor& partner, const at::Tensor& o_dc, const at::Tensor& f,
                                      const at::Tensor& whh, bool full) {
  TORCH_CHECK(partner.dim() == 3 && partner.size(2) % 4 == 0 && !partner.is_cuda(), "partner must be (steps, batch, 4u)");
  const int64_t steps = partner.size(0), batch = partner.size(1), four_u = partner.size(2), u = four_u / 4;
  const std::vector<int64_t> tbu{steps, batch, u};
  TORCH_CHECK(o_dc.sizes() == at::IntArrayRef(tbu) && f.sizes() == at::IntArrayRef(tbu),
              "o_dc and f must be (steps, batch, u)");
  TORCH_CHECK(!full || d_hseq.sizes() == at::IntArrayRef(tbu), "d_hseq must be (steps, batch, u)");
  TORCH_CHECK(d_hlast.numel() == batch * u && dc.numel() == batch * u, "d_hlast and dc must be (batch, u)");
  TORCH_CHECK(whh.dim() == 2 && whh.size(0) == four_u && whh.size(1) == u, "whh must be (4u, u)");
  const at::Tensor p = partner.contiguous();
  // Batch-major (batch, steps, 4u): it is the gradient of xp as it is, with no transposed copy.
  at::Tensor dz_all = at::empty({p.size(1), p.size(0), p.size(2)}, p.options());
  at::Tensor dh = d_hlast.contiguous().clone();
  dc = dc.contiguous();
  const at::Tensor seq = full ? d_hseq.contiguous() : d_hseq;
  const at::Tensor od = o_dc.contiguous();
  AT_DISPATCH_FLOATING_TYPES(p.scalar_type(), "lstm_relu_backward",
                             [&] { backward_impl<scalar_t>(seq, dh, dc, p, od, f, whh, full, dz_all); });
  return {dz_all.transpose(0, 1), dh, dc};  // (steps, batch, 4u) like the TorchScript loop, batch-major storage
}

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("forward_loop", &forward_loop, "relu-LSTM forward time loop");
  m.def("backward_loop", &backward_loop, "relu-LSTM backward time loop");
}
