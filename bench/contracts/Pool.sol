// SPDX-License-Identifier: MIT
// A minimal constant-product (x * y = k) pool with a 0.3% fee, for parevm's AMM benchmark
// (`parevm bench blocks`). The benchmark writes the runtime code and the storage below straight
// into the pre-state, so there is no constructor and nothing immutable.
//   slot 0: token0, slot 1: token1, slot 2: reserve0 (low 112 bits) | reserve1 (next 112 bits)
pragma solidity 0.8.26;

interface IERC20 {
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
}

contract Pool {
    address public token0;
    address public token1;
    uint112 public reserve0;
    uint112 public reserve1;

    event Swap(address indexed trader, uint256 amountIn, uint256 amountOut, bool zeroForOne);

    function swap(uint256 amountIn, bool zeroForOne, uint256 minOut) external returns (uint256 amountOut) {
        (uint256 r0, uint256 r1) = (reserve0, reserve1);
        (address tokenIn, address tokenOut, uint256 reserveIn, uint256 reserveOut) =
            zeroForOne ? (token0, token1, r0, r1) : (token1, token0, r1, r0);
        uint256 inWithFee = amountIn * 997;
        amountOut = (inWithFee * reserveOut) / (reserveIn * 1000 + inWithFee);
        require(amountOut > 0 && amountOut >= minOut, "Pool: insufficient output");
        require(IERC20(tokenIn).transferFrom(msg.sender, address(this), amountIn), "Pool: transfer in");
        require(IERC20(tokenOut).transfer(msg.sender, amountOut), "Pool: transfer out");
        if (zeroForOne) {
            reserve0 = uint112(r0 + amountIn);
            reserve1 = uint112(r1 - amountOut);
        } else {
            reserve1 = uint112(r1 + amountIn);
            reserve0 = uint112(r0 - amountOut);
        }
        emit Swap(msg.sender, amountIn, amountOut, zeroForOne);
    }
}
