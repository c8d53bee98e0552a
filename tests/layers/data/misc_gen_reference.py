"""Regenerate misc_ref_{norm,attn}.npz with real Keras 3 (TF backend): /opt/kref/bin/python misc_gen_reference.py"""
import os
os.environ["KERAS_BACKEND"]="tensorflow"
import numpy as np, keras
from keras import layers as L
rng=np.random.default_rng(0)
R=lambda *s: rng.standard_normal(s).astype("float32")
out={}
def setw(layer, prefix):
    ws=[R(*w.shape) if 'variance' not in w.name else (rng.random(w.shape).astype('float32')+0.5) for w in layer.weights]
    layer.set_weights(ws)
    for i,w in enumerate(ws): out[f"{prefix}_w{i}"]=w
# BN channels_last
x=R(4,3,3,2); out["bn_x"]=x
bn=L.BatchNormalization(); bn.build(x.shape); setw(bn,"bn")
out["bn_inf"]=np.asarray(bn(x, training=False))
out["bn_train"]=np.asarray(bn(x, training=True))
out["bn_mm"]=bn.moving_mean.numpy(); out["bn_mv"]=bn.moving_variance.numpy()
# BN channels_first axis=1, momentum .9
x=R(4,2,3,3); out["bn1_x"]=x
bn=L.BatchNormalization(axis=1, momentum=0.9, epsilon=1e-5); bn.build(x.shape); setw(bn,"bn1")
out["bn1_train"]=np.asarray(bn(x, training=True)); out["bn1_mm"]=bn.moving_mean.numpy(); out["bn1_mv"]=bn.moving_variance.numpy()
# BN masked
x=R(3,4,2); m=np.array([[1,1,0,0],[1,1,1,0],[1,0,0,0]],bool); out["bnm_x"]=x; out["bnm_mask"]=m
bn=L.BatchNormalization(); bn.build(x.shape); setw(bn,"bnm")
out["bnm_train"]=np.asarray(bn(x, training=True, mask=m)); out["bnm_mm"]=bn.moving_mean.numpy(); out["bnm_mv"]=bn.moving_variance.numpy()
# LayerNorm
x=R(2,3,4); out["ln_x"]=x
ln=L.LayerNormalization(); ln.build(x.shape); setw(ln,"ln"); out["ln_y"]=np.asarray(ln(x))
ln=L.LayerNormalization(axis=[1,2]); ln.build(x.shape); setw(ln,"ln12"); out["ln12_y"]=np.asarray(ln(x))
ln=L.LayerNormalization(axis=1); ln.build(x.shape); setw(ln,"ln1"); out["ln1_y"]=np.asarray(ln(x))
ln=L.LayerNormalization(rms_scaling=True); ln.build(x.shape); setw(ln,"lnr"); out["lnr_y"]=np.asarray(ln(x))
# GroupNorm
x=R(2,3,3,4); out["gn_x"]=x
gn=L.GroupNormalization(groups=2); gn.build(x.shape); setw(gn,"gn"); out["gn_y"]=np.asarray(gn(x))
x1=np.transpose(x,(0,3,1,2)).copy(); out["gn1_x"]=x1
gn=L.GroupNormalization(groups=2, axis=1); gn.build(x1.shape); setw(gn,"gn1"); out["gn1_y"]=np.asarray(gn(x1))
out["un_y"]=np.asarray(L.UnitNormalization(axis=[1,2])(out["ln_x"]))
# MHA
q=R(2,3,4); v=R(2,5,4); out["mha_q"]=q; out["mha_v"]=v
mha=L.MultiHeadAttention(num_heads=2, key_dim=3)
mha(q,v); setw(mha,"mha")
out["mha_self"]=np.asarray(mha(q,q))
am=rng.random((2,3,5))>0.3; am[:,:,0]=True; out["mha_am"]=am
o,s=mha(q,v,attention_mask=am,return_attention_scores=True); out["mha_cross"]=np.asarray(o); out["mha_scores"]=np.asarray(s)
out["mha_cross_fast"]=np.asarray(mha(q,v,attention_mask=am))
out["mha_causal"]=np.asarray(mha(q,q,use_causal_mask=True))
mha2=L.MultiHeadAttention(num_heads=2, key_dim=2, value_dim=3, output_shape=5, use_bias=False)
k=R(2,5,6); mha2(q,v,key=k); setw(mha2,"mha2"); out["mha2_k"]=k
out["mha2_y"]=np.asarray(mha2(q,v,key=k))
# Attention
qa=R(2,3,4); va=R(2,5,4); qm=np.array([[1,1,0],[1,1,1]],bool); vm=np.array([[1,1,1,0,0],[1,1,1,1,1]],bool)
out["att_q"]=qa; out["att_v"]=va; out["att_qm"]=qm; out["att_vm"]=vm
a=L.Attention(use_scale=True); a([qa,va]); setw(a,"att")
o,s=a([qa,va],mask=[qm,vm],return_attention_scores=True); out["att_y"]=np.asarray(o); out["att_s"]=np.asarray(s)
out["att_causal"]=np.asarray(a([qa,qa],use_causal_mask=True))
a=L.Attention(use_scale=True, score_mode="concat"); a([qa,va]); setw(a,"attc"); out["attc_y"]=np.asarray(a([qa,va]))
a=L.AdditiveAttention(); a([qa,va]); setw(a,"add"); out["add_y"]=np.asarray(a([qa,va],mask=[None,vm]))
# Dot
d1=R(2,3,4); d2=R(2,3,5); out["dot_a"]=d1; out["dot_b"]=d2
out["dot_n"]=np.asarray(L.Dot(axes=(1,1),normalize=True)([d1,d2]))
e1=R(3,4); e2=R(3,4); out["dot2_a"]=e1; out["dot2_b"]=e2
out["dot2_n"]=np.asarray(L.Dot(axes=-1,normalize=True)([e1,e2]))
# PReLU
x=R(2,3,4); out["prelu_x"]=x
p=L.PReLU(shared_axes=[1]); p.build(x.shape); setw(p,"prelu"); out["prelu_y"]=np.asarray(p(x))
out["relu_y"]=np.asarray(L.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.5)(x))
out["lrelu_y"]=np.asarray(L.LeakyReLU()(x)); out["elu_y"]=np.asarray(L.ELU(alpha=0.7)(x))
sm=np.array([[1,1,1,0],[1,0,1,1]],bool); xs=R(2,4); out["sm_x"]=xs; out["sm_m"]=sm
out["sm_y"]=np.asarray(L.Softmax()(xs, mask=sm))
# Resizing
img=R(2,5,7,3); out["rs_x"]=img
out["rs_bil"]=np.asarray(L.Resizing(3,4)(img)); out["rs_up"]=np.asarray(L.Resizing(8,9)(img))
out["rs_crop"]=np.asarray(L.Resizing(4,4,crop_to_aspect_ratio=True)(img))
out["rs_near"]=np.asarray(L.Resizing(3,4,interpolation="nearest")(img))
out["cc_y"]=np.asarray(L.CenterCrop(3,3)(img)); out["cc_up"]=np.asarray(L.CenterCrop(6,6)(img))
# Normalization
data=(R(50,3)*3+1); out["nm_data"]=data
n=L.Normalization(); n.adapt(data); out["nm_w0"]=n.get_weights()[0]; out["nm_w1"]=n.get_weights()[1]
print("count dtype", n.weights[2].dtype, n.get_weights()[2])
out["nm_y"]=np.asarray(n(data[:4]))
n=L.Normalization(axis=None); n.adapt(data); out["nmn_y"]=np.asarray(n(data[:4]))
n=L.Normalization(mean=[1.,2.,3.], variance=[4.,5.,6.]); out["nmf_y"]=np.asarray(n(data[:4]))
n=L.Normalization(mean=[1.,2.,3.], variance=[4.,5.,6.], invert=True); out["nmi_y"]=np.asarray(n(data[:4]))
# EinsumDense
x=R(2,3,4); out["ed_x"]=x
ed=L.EinsumDense("abc,cd->abd", output_shape=(None,5), bias_axes="d"); ed.build(x.shape); setw(ed,"ed"); out["ed_y"]=np.asarray(ed(x))
print("mha weights", [w.shape for w in mha.weights], [w.path for w in mha.weights])
print("MHA config", mha.get_config())
print("BN config", bn.get_config())
print("ed cfg", ed.get_config())
here = os.path.dirname(os.path.abspath(__file__))
attn_keys = ("mha", "mha2", "att", "attc", "add", "dot", "dot2", "ed", "rs", "cc")
attn = {k: v for k, v in out.items() if k.split("_")[0] in attn_keys}
np.savez_compressed(os.path.join(here, "misc_ref_attn.npz"), **attn)
np.savez_compressed(os.path.join(here, "misc_ref_norm.npz"), **{k: v for k, v in out.items() if k not in attn})
