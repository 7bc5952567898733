package sample

func one() {}

func three() {
	_ = 1
}

type thing struct{}

func (*thing) method() {
	_ = 1
	_ = 2
	_ = 3
}
