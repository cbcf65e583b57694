#include <atomic>
#include <iostream>
#include <stdexcept>
#include <thread>
int main()
{
	std::atomic<int> n{0};
	std::thread t([&] { for (int i = 0; i < 1000; i++) n++; });
	t.join();
	try {
		throw std::runtime_error("caught");
	} catch (const std::exception &e) {
		std::cout << e.what() << " " << n << std::endl;
	}
}
