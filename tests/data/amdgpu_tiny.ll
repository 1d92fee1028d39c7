; amdgpu_tiny.ll — input of tests/test_link.c: the smallest AMDGPU kernel worth linking.
; CMake turns it into a relocatable object with
;   llc-22 -mtriple=amdgcn-amd-amdhsa -mcpu=gfx942 -filetype=obj
; and cg_link_hsaco must make an ET_DYN code object of it. It stores 42.0 to y[tid].
target triple = "amdgcn-amd-amdhsa"

declare i32 @llvm.amdgcn.workitem.id.x()

define amdgpu_kernel void @tiny(ptr addrspace(1) noalias %y) {
entry:
  %tid = call i32 @llvm.amdgcn.workitem.id.x()
  %idx = zext i32 %tid to i64
  %p = getelementptr inbounds float, ptr addrspace(1) %y, i64 %idx
  store float 42.0, ptr addrspace(1) %p, align 4
  ret void
}
