import triton
import triton.language as tl


@triton.jit
def k(x_ptr, n):
    i = 0
    while i < n:
        while i < n:
            while i < n:
                while i < n:
                    while i < n:
                        while i < n:
                            while i < n:
                                while i < n:
                                    while i < n:
                                        while i < n:
                                            while i < n:
                                                while i < n:
                                                    while i < n:
                                                        while i < n:
                                                            while i < n:
                                                                while i < n:
                                                                    while i < n:
                                                                        while i < n:
                                                                            while i < n:
                                                                                while i < n:
                                                                                    while i < n:
                                                                                        while i < n:
                                                                                            while i < n:
                                                                                                while i < n:
                                                                                                    while i < n:
                                                                                                        while i < n:
                                                                                                            while i < n:
                                                                                                                while i < n:
                                                                                                                    while i < n:
                                                                                                                        while i < n:
                                                                                                                            i += 1
